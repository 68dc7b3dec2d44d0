// FUTEX_WAIT without FUTEX_PRIVATE_FLAG keys the wait queue by (inode, offset) for MAP_SHARED
// memory, so a wake from any process mapping the same /dev/shm page reaches the waiter. For a
// plain in-process SharedArrayBuffer the key is (mm, address), which still works across the
// threads of one process.
#include "futex.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// OUTCOME_STOPPED: a synchronous wait gave up because its environment is being torn down.
typedef enum { OUTCOME_OK, OUTCOME_NOT_EQUAL, OUTCOME_TIMED_OUT, OUTCOME_ERROR, OUTCOME_STOPPED } Outcome;

static const char* outcome_name(Outcome o) {
  return o == OUTCOME_OK ? "ok" : o == OUTCOME_NOT_EQUAL ? "not-equal" : "timed-out";
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Waits while *addr == expected; timeout_ms < 0 means forever. EINTR (a profiler's or a
// debugger's signal) restarts the wait with the time that is left rather than returning early.
static Outcome futex_wait(int32_t* addr, int32_t expected, double timeout_ms, int* err_out) {
  double deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;
  for (;;) {
    struct timespec ts, *tsp = NULL;
    if (timeout_ms >= 0) {
      double left = deadline - now_ms();
      if (left < 0) left = 0;
      ts.tv_sec = (time_t)(left / 1e3);
      ts.tv_nsec = (long)((left - ts.tv_sec * 1e3) * 1e6);
      if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
      tsp = &ts;
    }
    long r = syscall(SYS_futex, addr, FUTEX_WAIT, expected, tsp, NULL, 0);
    if (r == 0) return OUTCOME_OK;
    int err = errno;
    if (err == EAGAIN) return OUTCOME_NOT_EQUAL;
    if (err == ETIMEDOUT) return OUTCOME_TIMED_OUT;
    if (err == EINTR) continue;
    *err_out = err;
    return OUTCOME_ERROR;
  }
}

static int futex_wake(int32_t* addr, int count) {
  long r = syscall(SYS_futex, addr, FUTEX_WAKE, count, NULL, NULL, 0);
  return r < 0 ? -errno : (int)r;
}

// Reads (view, index) into the word's address, or throws and returns NULL.
static int32_t* word_address(napi_env env, napi_value view, napi_value index_value) {
  char* data = NULL;
  size_t byte_length = 0;
  bool shared = false;
  int type = -1;
  if (!weft_view_memory(env, view, &data, &byte_length, &shared, &type) || type != napi_int32_array) {
    napi_value ignored = NULL;
    napi_get_and_clear_last_exception(env, &ignored);
    weft_throw_type(env, "futex: view must be an Int32Array");
    return NULL;
  }
  if (!shared) {
    weft_throw_type(env, "futex: view must be over a SharedArrayBuffer");
    return NULL;
  }
  double index = 0;
  if (!weft_number(env, index_value, "futex: index", &index)) return NULL;
  if (!(index >= 0) || index >= (double)(byte_length / 4) || index != (double)(size_t)index) {
    weft_throw_range(env, "futex: index out of range");
    return NULL;
  }
  // Int32Array offsets are 4-byte aligned by construction, as the futex requires.
  return (int32_t*)data + (size_t)index;
}

// --- async waits: a small thread of weft's own per pending wait ---------------------------------
//
// Not libuv's thread pool (napi_async_work): Node waits for pool jobs before it runs cleanup
// hooks when an environment ends, so a wait with no timeout would hold a worker thread's exit
// forever, and each wait would also take one of the pool's four threads from fs and crypto.

typedef struct AsyncWait AsyncWait;

typedef struct {
  napi_threadsafe_function done;  // carries finished waits back to the environment's thread
  AsyncWait* pending;             // doubly linked list of waits not yet settled
} EnvState;

struct AsyncWait {
  pthread_t thread;
  napi_deferred deferred;
  napi_ref view;  // keeps the memory alive while the thread waits on it
  EnvState* state;
  int32_t* addr;
  int32_t expected;
  double timeout_ms;
  Outcome outcome;
  int err;
  atomic_int finished;  // set by the thread once the wait has returned
  AsyncWait* prev;
  AsyncWait* next;
};

static void unlink_wait(AsyncWait* w) {
  if (w->prev) w->prev->next = w->next;
  else w->state->pending = w->next;
  if (w->next) w->next->prev = w->prev;
  w->prev = w->next = NULL;
}

static void* run_wait(void* data) {
  AsyncWait* w = data;
  w->outcome = futex_wait(w->addr, w->expected, w->timeout_ms, &w->err);
  napi_threadsafe_function done = w->state->done;
  atomic_store(&w->finished, 1);
  // After `finished` the environment's cleanup hook may already be done with w; when the
  // environment is closing this call fails and nothing else touches w.
  napi_call_threadsafe_function(done, w, napi_tsfn_nonblocking);
  return NULL;
}

// On the environment's thread. env is NULL when the environment is being torn down: the cleanup
// hook has already joined the thread and w is left alone.
static void settle_wait(napi_env env, napi_value js_callback, void* context, void* data) {
  AsyncWait* w = data;
  if (env == NULL) return;
  pthread_join(w->thread, NULL);
  unlink_wait(w);
  if (w->outcome == OUTCOME_ERROR) {
    weft_throw_errno(env, w->err, "futex", "futexWaitAsync failed", "");
    napi_value error = NULL;
    napi_get_and_clear_last_exception(env, &error);
    napi_reject_deferred(env, w->deferred, error);
  } else {
    napi_resolve_deferred(env, w->deferred, weft_string(env, outcome_name(w->outcome)));
  }
  napi_delete_reference(env, w->view);
  if (w->state->pending == NULL) napi_unref_threadsafe_function(env, w->state->done);
  free(w);
}

// When an environment is torn down (worker.terminate(), the end of a worker thread) wake every
// pending wait (other waiters on the same word see a spurious wake-up, which the futex contract
// allows) until its thread has returned, and join it. Wakes repeat because a thread may not have
// entered the syscall yet. Registered after the threadsafe function, so it runs before that
// function's own teardown. The waits' promises never settle: nothing can observe them any more.
static void cleanup_env(void* arg) {
  EnvState* state = arg;
  for (;;) {
    bool waiting = false;
    for (AsyncWait* w = state->pending; w; w = w->next) {
      if (!atomic_load(&w->finished)) {
        waiting = true;
        futex_wake(w->addr, INT_MAX);
      }
    }
    if (!waiting) break;
    usleep(1000);
  }
  for (AsyncWait* w = state->pending; w; w = w->next) pthread_join(w->thread, NULL);
  state->pending = NULL;  // the structs are left to the process (a few per ended thread at most)
}

static void free_state(napi_env env, void* data, void* hint) { free(data); }

napi_status weft_futex_init(napi_env env) {
  EnvState* state = calloc(1, sizeof(EnvState));
  if (!state) return napi_generic_failure;
  return napi_set_instance_data(env, state, free_state, NULL);
}

// The threadsafe function is made with the first async wait, and the cleanup hook right after it.
static bool ensure_done_function(napi_env env, EnvState* state) {
  if (state->done) return true;
  napi_value name = weft_string(env, "weft.futexWaitAsync");
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, settle_wait,
                                      &state->done) != napi_ok) {
    weft_throw_last_error(env, "napi_create_threadsafe_function");
    state->done = NULL;
    return false;
  }
  napi_unref_threadsafe_function(env, state->done);
  napi_add_env_cleanup_hook(env, cleanup_env, state);
  return true;
}

static bool wait_args(napi_env env, napi_callback_info info, int32_t** addr, napi_value* view,
                      int32_t* expected, double* timeout_ms) {
  napi_value argv[4];
  double e = 0;
  if (!weft_args(env, info, 4, argv)) return false;
  if (!(*addr = word_address(env, argv[0], argv[1]))) return false;
  if (!weft_number(env, argv[2], "futex: expected", &e) ||
      !weft_number(env, argv[3], "futex: timeoutMs", timeout_ms))
    return false;
  *expected = (int32_t)e;
  if (view) *view = argv[0];
  return true;
}

// --- synchronous waits: in slices, so a stopping environment is not held up ----------------------
//
// A worker thread asleep in the kernel cannot be interrupted by V8: worker.terminate() (the pool
// does it on a task timeout) and process.exit() (which stops every worker first) would wait for
// it forever. So a long wait sleeps at most SLICE_MS at a time and, between slices, looks whether
// its environment is stopping; if so it returns at once and V8's termination goes ahead. The
// price: a futexWake that changes nothing (no store before it) and lands in the microseconds
// between two slices is missed; wakes that follow a store are not (the next slice sees the new
// value and returns 'not-equal'), which is how waits are meant to be used anyway.
#define SLICE_MS 50.0

// Node-API calls that may run JavaScript (those behind NAPI_PREAMBLE) fail, with
// napi_pending_exception, once the environment can no longer call into JavaScript: right after
// worker.terminate(), and when process.exit() stops the workers. Seen on Node 20.20, 22.23,
// 24.22 and 26.12. napi_strict_equals is the cheapest of them: no allocation, no lookup.
static bool env_stopping(napi_env env) {
  napi_value u = weft_undefined(env);
  bool same = false;
  return u == NULL || napi_strict_equals(env, u, u, &same) != napi_ok;
}

static Outcome futex_wait_stoppable(napi_env env, int32_t* addr, int32_t expected, double timeout_ms, int* err) {
  double deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;
  for (;;) {
    double left = timeout_ms < 0 ? SLICE_MS : deadline - now_ms();
    Outcome o = futex_wait(addr, expected, left < 0 ? 0 : left > SLICE_MS ? SLICE_MS : left, err);
    if (o != OUTCOME_TIMED_OUT || (timeout_ms >= 0 && now_ms() >= deadline)) return o;
    if (env_stopping(env)) return OUTCOME_STOPPED;
  }
}

// futexWait(view, index, expected, timeoutMs < 0 = forever) -> 'ok' | 'not-equal' | 'timed-out'
napi_value weft_futex_wait(napi_env env, napi_callback_info info) {
  int32_t* addr;
  int32_t expected;
  double timeout_ms;
  if (!wait_args(env, info, &addr, NULL, &expected, &timeout_ms)) return NULL;
  int err = 0;
  Outcome o = futex_wait_stoppable(env, addr, expected, timeout_ms, &err);
  if (o == OUTCOME_STOPPED) return NULL;  // nothing will read the result: JavaScript is ending here
  if (o == OUTCOME_ERROR) {
    weft_throw_errno(env, err, "futex", "futexWait failed", "");
    return NULL;
  }
  return weft_string(env, outcome_name(o));
}

// futexWake(view, index, count) -> number of waiters woken (in any process)
napi_value weft_futex_wake(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  double count = 0;
  if (!weft_args(env, info, 3, argv)) return NULL;
  int32_t* addr = word_address(env, argv[0], argv[1]);
  if (!addr || !weft_number(env, argv[2], "futex: count", &count)) return NULL;
  int n = count >= INT_MAX ? INT_MAX : count <= 0 ? 0 : (int)count;
  int r = futex_wake(addr, n);
  if (r < 0) {
    weft_throw_errno(env, -r, "futex", "futexWake failed", "");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, r, &result);
  return result;
}

// futexWaitAsync(view, index, expected, timeoutMs) -> Promise<'ok' | 'not-equal' | 'timed-out'>
// A pending wait keeps the event loop alive, as a pending timer would.
napi_value weft_futex_wait_async(napi_env env, napi_callback_info info) {
  int32_t* addr;
  int32_t expected;
  double timeout_ms;
  napi_value view, promise;
  if (!wait_args(env, info, &addr, &view, &expected, &timeout_ms)) return NULL;
  EnvState* state = NULL;
  NAPI_OK(env, napi_get_instance_data(env, (void**)&state));
  if (!ensure_done_function(env, state)) return NULL;
  AsyncWait* w = calloc(1, sizeof(AsyncWait));
  if (!w) {
    weft_throw_errno(env, ENOMEM, "calloc", "futexWaitAsync could not start", "");
    return NULL;
  }
  w->state = state;
  w->addr = addr;
  w->expected = expected;
  w->timeout_ms = timeout_ms;
  atomic_init(&w->finished, 0);
  if (napi_create_promise(env, &w->deferred, &promise) != napi_ok ||
      napi_create_reference(env, view, 1, &w->view) != napi_ok) {
    free(w);
    weft_throw_last_error(env, "futexWaitAsync could not start");
    return NULL;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);  // the thread only makes one system call
  int err = pthread_create(&w->thread, &attr, run_wait, w);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    napi_delete_reference(env, w->view);
    weft_throw_errno(env, err, "pthread_create", "futexWaitAsync could not start a thread", "");
    napi_value error = NULL;
    napi_get_and_clear_last_exception(env, &error);
    napi_reject_deferred(env, w->deferred, error);
    free(w);
    return promise;
  }
  if (state->pending == NULL) napi_ref_threadsafe_function(env, state->done);
  w->next = state->pending;
  if (state->pending) state->pending->prev = w;
  state->pending = w;
  return promise;
}
