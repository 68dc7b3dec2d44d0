// futexWait / futexWake / futexWaitAsync.
//
// FUTEX_WAIT without FUTEX_PRIVATE_FLAG keys the wait queue by (inode, offset) for MAP_SHARED
// memory, so a wake from any process mapping the same /dev/shm page reaches the waiter. For a
// plain in-process SharedArrayBuffer the key is (mm, address), which still works across the
// threads of one process.
#include "futex.h"
#include "errors.h"

#include <uv.h>
#include <node.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <ctime>
#include <linux/futex.h>
#include <memory>
#include <set>
#include <sys/syscall.h>
#include <unistd.h>

namespace weft {

namespace {

enum class Outcome { kOk, kNotEqual, kTimedOut, kError };

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kNotEqual: return "not-equal";
    default: return "timed-out";
  }
}

double NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Waits while *addr == expected. timeoutMs < 0 means forever. EINTR (a signal, e.g. a profiler
// or a debugger) restarts the wait with the time that is left rather than returning early.
Outcome Wait(int32_t* addr, int32_t expected, double timeoutMs, int* errOut) {
  double deadline = timeoutMs < 0 ? 0 : NowMs() + timeoutMs;
  for (;;) {
    struct timespec ts;
    struct timespec* tsp = nullptr;
    if (timeoutMs >= 0) {
      double left = deadline - NowMs();
      if (left < 0) left = 0;
      ts.tv_sec = static_cast<time_t>(left / 1e3);
      ts.tv_nsec = static_cast<long>((left - ts.tv_sec * 1e3) * 1e6);
      if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
      tsp = &ts;
    }
    long r = syscall(SYS_futex, addr, FUTEX_WAIT, expected, tsp, nullptr, 0);
    if (r == 0) return Outcome::kOk;
    int err = errno;
    if (err == EAGAIN) return Outcome::kNotEqual;
    if (err == ETIMEDOUT) return Outcome::kTimedOut;
    if (err == EINTR) continue;
    *errOut = err;
    return Outcome::kError;
  }
}

int Wake(int32_t* addr, int count) {
  long r = syscall(SYS_futex, addr, FUTEX_WAKE, count, nullptr, nullptr, 0);
  return r < 0 ? -errno : static_cast<int>(r);
}

// Validates (view, index) and returns the word's address; on failure throws and returns null.
// `store` (optional) receives the backing store so an async wait can keep the memory alive.
int32_t* WordAddress(const v8::FunctionCallbackInfo<v8::Value>& args,
                     std::shared_ptr<v8::BackingStore>* store) {
  v8::Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsInt32Array()) {
    ThrowType(isolate, "futex: view must be an Int32Array");
    return nullptr;
  }
  v8::Local<v8::Int32Array> view = args[0].As<v8::Int32Array>();
  v8::Local<v8::Value> buffer = view->Buffer();
  if (!buffer->IsSharedArrayBuffer()) {
    ThrowType(isolate, "futex: view must be over a SharedArrayBuffer");
    return nullptr;
  }
  if (!args[1]->IsNumber()) {
    ThrowType(isolate, "futex: index must be a number");
    return nullptr;
  }
  double index = args[1].As<v8::Number>()->Value();
  if (!(index >= 0) || index >= static_cast<double>(view->Length()) ||
      index != static_cast<double>(static_cast<size_t>(index))) {
    ThrowRange(isolate, "futex: index out of range");
    return nullptr;
  }
  std::shared_ptr<v8::BackingStore> bs = buffer.As<v8::SharedArrayBuffer>()->GetBackingStore();
  char* base = static_cast<char*>(bs->Data()) + view->ByteOffset();
  if (store) *store = bs;
  // Int32Array offsets are 4-byte aligned by construction, as the futex requires.
  return reinterpret_cast<int32_t*>(base) + static_cast<size_t>(index);
}

bool ArgNumber(const v8::FunctionCallbackInfo<v8::Value>& args, int i, const char* what,
               double* out) {
  if (!args[i]->IsNumber()) {
    ThrowType(args.GetIsolate(), std::string("futex: ") + what + " must be a number");
    return false;
  }
  *out = args[i].As<v8::Number>()->Value();
  return true;
}

// --- async waits -----------------------------------------------------------------------------

struct EnvState;

struct AsyncWait {
  uv_work_t req;
  v8::Isolate* isolate;
  EnvState* env;
  std::shared_ptr<v8::BackingStore> store;  // keeps the mapping alive during the wait
  int32_t* addr;
  int32_t expected;
  double timeoutMs;
  Outcome outcome = Outcome::kError;
  int err = 0;
  bool abandoned = false;  // the environment is going away: settle nothing, just free
  v8::Global<v8::Promise::Resolver> resolver;
  v8::Global<v8::Context> context;
};

// One per isolate/environment (main thread and each worker thread).
struct EnvState {
  v8::Isolate* isolate;
  uv_loop_t* loop;
  std::set<AsyncWait*> pending;
};

void RunWait(uv_work_t* req) {
  AsyncWait* w = static_cast<AsyncWait*>(req->data);
  w->outcome = Wait(w->addr, w->expected, w->timeoutMs, &w->err);
}

void AfterWait(uv_work_t* req, int status) {
  std::unique_ptr<AsyncWait> w(static_cast<AsyncWait*>(req->data));
  w->env->pending.erase(w.get());
  if (w->abandoned) {
    w->resolver.Reset();
    w->context.Reset();
    return;
  }
  v8::Isolate* isolate = w->isolate;
  v8::HandleScope scope(isolate);
  v8::Local<v8::Context> context = w->context.Get(isolate);
  v8::Context::Scope contextScope(context);
  // A callback scope so that the promise's reactions (microtasks) run now, as after any I/O.
  node::CallbackScope callbackScope(isolate, v8::Object::New(isolate), {0, 0});
  v8::Local<v8::Promise::Resolver> resolver = w->resolver.Get(isolate);
  if (status != 0 || w->outcome == Outcome::kError) {
    int err = status != 0 ? -status : w->err;
    v8::TryCatch tryCatch(isolate);
    ThrowErrno(isolate, err, "futex", "futexWaitAsync failed", "");
    resolver->Reject(context, tryCatch.Exception()).Check();
  } else {
    resolver->Resolve(context, Str(isolate, OutcomeName(w->outcome))).Check();
  }
}

// When an environment is torn down (worker.terminate(), end of a worker thread) Node closes its
// event loop and aborts if work is still pending. Release every pending wait: mark it
// abandoned, wake its word (the waiter returns; other waiters on that word see a spurious
// wake-up, which the futex contract allows), and run the loop until each completion has run.
// Wakes are repeated because a pool thread may not have entered the syscall yet.
void CleanupEnv(void* arg) {
  EnvState* env = static_cast<EnvState*>(arg);
  for (AsyncWait* w : env->pending) {
    w->abandoned = true;
    // Not started yet (all pool threads busy)? Then it never needs to run.
    uv_cancel(reinterpret_cast<uv_req_t*>(&w->req));
  }
  while (!env->pending.empty()) {
    for (AsyncWait* w : env->pending) Wake(w->addr, INT_MAX);
    uv_run(env->loop, UV_RUN_NOWAIT);
    if (!env->pending.empty()) usleep(1000);
  }
  delete env;
}

thread_local EnvState* t_env = nullptr;

}  // namespace

void InitFutex(v8::Isolate* isolate) {
  // One EnvState per thread that loads the addon (an isolate runs on one thread at a time).
  if (t_env != nullptr && t_env->isolate == isolate) return;
  EnvState* env = new EnvState{isolate, node::GetCurrentEventLoop(isolate), {}};
  t_env = env;
  node::AddEnvironmentCleanupHook(
      isolate,
      [](void* arg) {
        if (t_env == arg) t_env = nullptr;
        CleanupEnv(arg);
      },
      env);
}

// futexWait(view, index, expected, timeoutMs<0 = forever) -> 'ok' | 'not-equal' | 'timed-out'
void FutexWait(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  int32_t* addr = WordAddress(args, nullptr);
  if (!addr) return;
  double expected, timeoutMs;
  if (!ArgNumber(args, 2, "expected", &expected) || !ArgNumber(args, 3, "timeoutMs", &timeoutMs))
    return;
  int err = 0;
  Outcome o = Wait(addr, static_cast<int32_t>(expected), timeoutMs, &err);
  if (o == Outcome::kError) return ThrowErrno(isolate, err, "futex", "futexWait failed", "");
  args.GetReturnValue().Set(Str(isolate, OutcomeName(o)));
}

// futexWake(view, index, count) -> number of waiters woken (in any process)
void FutexWake(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  int32_t* addr = WordAddress(args, nullptr);
  if (!addr) return;
  double count;
  if (!ArgNumber(args, 2, "count", &count)) return;
  int n = count >= INT_MAX ? INT_MAX : count <= 0 ? 0 : static_cast<int>(count);
  int r = Wake(addr, n);
  if (r < 0) return ThrowErrno(isolate, -r, "futex", "futexWake failed", "");
  args.GetReturnValue().Set(r);
}

// futexWaitAsync(view, index, expected, timeoutMs) -> Promise<'ok' | 'not-equal' | 'timed-out'>
void FutexWaitAsync(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  std::shared_ptr<v8::BackingStore> store;
  int32_t* addr = WordAddress(args, &store);
  if (!addr) return;
  double expected, timeoutMs;
  if (!ArgNumber(args, 2, "expected", &expected) || !ArgNumber(args, 3, "timeoutMs", &timeoutMs))
    return;
  InitFutex(isolate);
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Promise::Resolver> resolver;
  if (!v8::Promise::Resolver::New(context).ToLocal(&resolver)) return;

  auto* w = new AsyncWait();
  w->req.data = w;
  w->isolate = isolate;
  w->env = t_env;
  w->store = std::move(store);
  w->addr = addr;
  w->expected = static_cast<int32_t>(expected);
  w->timeoutMs = timeoutMs;
  w->resolver.Reset(isolate, resolver);
  w->context.Reset(isolate, context);
  int r = uv_queue_work(t_env->loop, &w->req, RunWait, AfterWait);
  if (r != 0) {
    w->resolver.Reset();
    w->context.Reset();
    delete w;
    return ThrowErrno(isolate, -r, "uv_queue_work", "futexWaitAsync could not be queued", "");
  }
  t_env->pending.insert(w);
  args.GetReturnValue().Set(resolver->GetPromise());
}

}  // namespace weft
