// Liveness tokens: liveToken() names the calling thread (napi env) with a positive 31-bit number,
// liveCheck(token) tells from any thread of any process of the same user whether it still lives.
//
// Why locks on a file: the kernel drops a lock the moment its holder is gone, whatever the way
// (worker.terminate(), a thread's end, process.exit(), SIGKILL, a crash), and it does so across
// PID namespaces that share /dev/shm. Pids and thread ids cannot do that: they are reused, and
// they mean nothing in another namespace. Open-file-description (OFD) locks rather than POSIX
// record locks because POSIX locks belong to the process (threads of one process never conflict,
// and closing any fd of the file drops them all); an OFD lock belongs to one open() of the file,
// so each environment opens its own and the main thread and every worker thread hold their own.
//
// The file, /dev/shm/weft-live-v1-<uid> (mode 0600, one per user: a token means nothing to other
// users, whose checks answer "can't tell"):
//   - bytes 2s and 2s+1 carry slot s's locks: the "life" lock, held as long as the holder lives,
//     and the "setup" lock, held only while a slot is being taken (locks need no file content);
//   - 32-bit word s of the file (mapped) is slot s's generation, bumped each time it is taken, so a
//     token of an earlier holder of the slot is told dead without a system call. Word 0 is the
//     round-robin hint of where the next search for a free slot starts: slots are reused only
//     after a full lap, so a generation (15 bits) wraps after about 2^31 thread starts, not 2^15.
// tmpfs allocates pages lazily: the 256 KiB file costs a page or two.
//
// Token = generation << 16 | slot, slot in 1..65535, generation in 1..32767: never 0, positive
// as an Int32.
//
// Taking a slot: setup lock, life lock, bump the generation, drop the setup lock. A checker that
// finds the life lock held and then the setup lock free reads the generation afterwards; if the
// life lock it saw was a new holder's, that holder had bumped the generation before dropping its
// setup lock, so the checker sees the mismatch and answers dead. Without the setup lock a checker
// could see a new holder's life lock before its generation bump and call the old token alive.
#define _GNU_SOURCE  // F_OFD_SETLK, F_OFD_GETLK
#include "liveness.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOTS 65536  // slot 0 is never handed out (its word is the hint)
#define FILE_BYTES (SLOTS * 4)
#define GENERATIONS 32767
#define SETUP_RETRIES 1000  // a setup lock is held for microseconds; give up ("can't tell") after this

typedef struct {
  int fd;  // this environment's own open file description: it holds the slot's life lock
  int32_t token;
} Self;

// Process-wide: the mapped generations and a probe fd that never holds a lock, so F_OFD_GETLK
// through it sees every holder, including the threads of this process. The mapping is made from
// the probe fd, never from an env's: a mapping pins the open file description it came from, and
// an OFD lock lives as long as its description, so an env's lock would outlive its close().
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Atomic uint32_t* words = NULL;
static int probe_fd = -1;
static int open_errno = 0;
static char live_path[64];
static uint32_t slot_limit = SLOTS;  // WEFT_LIVE_SLOTS narrows it, so tests can force slot reuse

// The calling thread's slot: one napi env per thread, and the env's cleanup hook clears it.
static _Thread_local Self* self = NULL;

// Opens the liveness file, creating it if needed, and refuses one another user planted there
// (owner, mode and type checked on the fd, and O_NOFOLLOW against a symlink).
static int open_file(void) {
  int fd = open(live_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
    close(fd);
    return -EACCES;
  }
  return fd;
}

static void init_once(void) {
  const char* dir = getenv("WEFT_LIVE_DIR");  // tests: a private file, not the user's real one
  snprintf(live_path, sizeof live_path, "%s/weft-live-v1-%u", dir && *dir ? dir : "/dev/shm",
           (unsigned)geteuid());
  const char* limit = getenv("WEFT_LIVE_SLOTS");
  if (limit && atoi(limit) >= 2 && atoi(limit) < SLOTS) slot_limit = (uint32_t)atoi(limit) + 1;
  int fd = open_file();
  if (fd < 0) {
    open_errno = -fd;
    return;
  }
  struct stat st;
  // Grown, never shrunk: another process may have it mapped.
  if (fstat(fd, &st) != 0 || (st.st_size < FILE_BYTES && ftruncate(fd, FILE_BYTES) != 0)) {
    open_errno = errno;
    close(fd);
    return;
  }
  void* map = mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    open_errno = errno;
    close(fd);
    return;
  }
  words = map;
  probe_fd = fd;
}

static bool ready(void) {
  pthread_once(&once, init_once);
  return words != NULL;
}

// A new open file description of the probe's own file, not of whatever the path names now: if the
// file was unlinked and made again (an /dev/shm cleaner, systemd's RemoveIPC), every thread of
// this process must still lock bytes of the one file its checks probe.
static int open_same_file(void) {
  char self_path[64];
  snprintf(self_path, sizeof self_path, "/proc/self/fd/%d", probe_fd);
  int fd = open(self_path, O_RDWR | O_CLOEXEC);
  return fd >= 0 ? fd : open_file();  // no /proc: the path, as before
}

// Whether the probe's file is still the one at the path. Another process that opened the path
// after a replacement hands out tokens from another file, so answers would mix files: when they
// may, the check says "can't tell" rather than "dead".
static bool file_current(void) {
  struct stat mine, named;
  if (fstat(probe_fd, &mine) != 0 || mine.st_nlink == 0) return false;
  if (stat(live_path, &named) != 0) return false;
  return mine.st_ino == named.st_ino && mine.st_dev == named.st_dev;
}

static int lock_byte(int fd, int cmd, short type, off_t offset) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = offset, .l_len = 1, .l_pid = 0};
  return fcntl(fd, cmd, &fl);
}

// Whether someone (any open file description but the probe's) holds a lock on `offset`.
static int held(off_t offset) {
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = offset, .l_len = 1, .l_pid = 0};
  if (fcntl(probe_fd, F_OFD_GETLK, &fl) != 0) return -1;
  return fl.l_type != F_UNLCK;
}

static off_t life_byte(uint32_t slot) { return (off_t)slot * 2; }
static off_t setup_byte(uint32_t slot) { return (off_t)slot * 2 + 1; }

// Takes a free slot with `fd`'s open file description; returns the token, or -errno.
static int32_t take_slot(int fd) {
  uint32_t span = slot_limit - 1;
  uint32_t start = atomic_fetch_add(&words[0], 1);
  for (uint32_t i = 0; i < span; i++) {
    uint32_t slot = 1 + (start + i) % span;
    if (lock_byte(fd, F_OFD_SETLK, F_WRLCK, setup_byte(slot)) != 0) continue;  // being taken
    bool got = lock_byte(fd, F_OFD_SETLK, F_WRLCK, life_byte(slot)) == 0;
    uint32_t generation = 0;
    if (got) {
      uint32_t old = atomic_load(&words[slot]);
      generation = old % GENERATIONS + 1;
      atomic_store(&words[slot], generation);
    }
    lock_byte(fd, F_OFD_SETLK, F_UNLCK, setup_byte(slot));
    if (got) return (int32_t)(generation << 16 | slot);
  }
  return -EAGAIN;  // every slot is held: 65535 live threads of this user
}

// Closing the fd drops the life lock: the token reads dead from then on.
static void release_self(void* arg) {
  Self* s = arg;
  if (self == s) self = NULL;
  close(s->fd);
  free(s);
}

// liveToken() -> this thread's token, taken on first call.
napi_value weft_live_token(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  if (self) {
    napi_create_int32(env, self->token, &result);
    return result;
  }
  if (!ready()) {
    weft_throw_errno(env, open_errno, "open", "liveness file unavailable", live_path);
    return NULL;
  }
  Self* s = malloc(sizeof(Self));
  int fd = s ? open_same_file() : -ENOMEM;
  int32_t token = fd >= 0 ? take_slot(fd) : fd;
  if (token < 0) {
    if (fd >= 0) close(fd);
    free(s);
    weft_throw_errno(env, -token, fd >= 0 ? "fcntl" : "open", "cannot take a liveness slot", live_path);
    return NULL;
  }
  s->fd = fd;
  s->token = token;
  if (napi_add_env_cleanup_hook(env, release_self, s) != napi_ok) {
    close(fd);
    free(s);
    weft_throw_last_error(env, "napi_add_env_cleanup_hook");
    return NULL;
  }
  self = s;
  napi_create_int32(env, token, &result);
  return result;
}

// "Dead" only while this process's file is the one at the path (see file_current).
static int dead_here(void) { return file_current() ? 0 : -1; }

// 1 alive, 0 dead, -1 can't tell (no file, a token not of this format or not of this file, a slot
// stuck in setup, the file replaced).
static int check(int32_t token) {
  if (self && self->token == token) return 1;  // the probe would not see our own lock as a conflict
  uint32_t slot = (uint32_t)token & 0xffff, generation = (uint32_t)token >> 16;
  if (token <= 0 || slot == 0 || generation == 0 || generation > GENERATIONS || !ready()) return -1;
  for (int i = 0; i < SETUP_RETRIES; i++) {
    uint32_t current = atomic_load(&words[slot]);
    if (current == 0) return -1;  // never taken in this file: the token was made from another one
    if (current != generation) return dead_here();
    int life = held(life_byte(slot));
    if (life < 0) return -1;  // fcntl failed
    if (life == 0) return dead_here();
    int setup = held(setup_byte(slot));
    if (setup < 0) return -1;
    if (!setup) return atomic_load(&words[slot]) == generation ? 1 : dead_here();
    sched_yield();  // a taker is between its locks and its generation bump
  }
  return -1;
}

// liveCheck(token) -> 1 | 0 | -1
napi_value weft_live_check(napi_env env, napi_callback_info info) {
  napi_value argv[1], result = NULL;
  double token = 0;
  if (!weft_args(env, info, 1, argv) || !weft_number(env, argv[0], "liveness token", &token)) return NULL;
  int r = token == (double)(int32_t)token ? check((int32_t)token) : -1;
  napi_create_int32(env, r, &result);
  return result;
}
