// Segment creation and mapping. A segment's memory lives as long as some SharedArrayBuffer (in
// any thread of the process) still refers to it; unlinking the name only removes it from
// /dev/shm, and the pages go back to the system once the last mapping in every process is gone.
#define _GNU_SOURCE  // O_TMPFILE
#include "segment.h"
#include "buffer.h"
#include "registry.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SAFE_INTEGER 9007199254740991.0

static void shm_path(const char* name, char* out, size_t size) { snprintf(out, size, "/dev/shm/%s", name); }

// Reads the segment name that is a function's only argument, and its /dev/shm path.
static bool name_and_path(napi_env env, napi_callback_info info, char* name, char* path, size_t path_size) {
  napi_value argv[1];
  if (!weft_args(env, info, 1, argv) || !weft_segment_name(env, argv[0], name)) return false;
  shm_path(name, path, path_size);
  return true;
}

// Sizes fd to file_length and reserves its pages; 0 or an errno.
static int prepare(int fd, size_t file_length, const char** failed) {
  (void)fchmod(fd, 0600);  // open() applied the umask; make the mode exactly 0600
  if (ftruncate(fd, (off_t)file_length) != 0) {
    *failed = "ftruncate";
    return errno;
  }
  // tmpfs allocates lazily: without reserving now, a full /dev/shm would show up later as
  // SIGBUS on first touch of a page. posix_fallocate turns that into ENOSPC here.
  int err = posix_fallocate(fd, 0, (off_t)file_length);
  if (err && err != EOPNOTSUPP && err != EINVAL) {
    *failed = "posix_fallocate";
    return err;
  }
  return 0;
}

// The file under its new name, opened anew, and tmp closed. A mapping of the O_TMPFILE descriptor
// itself would show in /proc/<pid>/maps as "/dev/shm/#<inode> (deleted)" even once linked, which
// the registry (still_mapped) and other tools read by name.
static int reopen(int tmp, const char* path, const char** failed) {
  int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  int err = errno;
  struct stat a, b;
  if (fd >= 0 && (fstat(tmp, &a) != 0 || fstat(fd, &b) != 0 || a.st_ino != b.st_ino)) {
    close(fd);
    fd = -1;
    err = EEXIST;  // not the file just linked: someone replaced it under that name
  }
  close(tmp);
  *failed = "open";
  return fd >= 0 ? fd : -err;
}

// Creates /dev/shm/<name> exclusively, sized and reserved, with its owner lock taken on
// *lock_fd; returns the fd to map, or -errno with *failed naming the call. The file is made
// nameless (O_TMPFILE) and linked under its name only when ready, so a sweeper in another
// process never sees it unlocked nor half-sized. Without O_TMPFILE or /proc (to reopen and link
// it by), it is named first and locked right after.
static int make_file(const char* path, size_t file_length, int* lock_fd, const char** failed) {
  int fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) {
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    int err = prepare(fd, file_length, failed);
    if (!err && (*lock_fd = weft_owner_lock_open(self)) < 0) err = -*lock_fd, *failed = "fcntl";
    if (!err && linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) {
      int named = reopen(fd, path, failed);
      if (named < 0) close(*lock_fd);
      return named;
    }
    if (!err) {
      err = errno;
      *failed = "linkat";
      close(*lock_fd);
    }
    close(fd);
    if (err != ENOENT) return -err;  // ENOENT: no /proc here; the named way below still works
  }
  fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    *failed = "open";
    return -errno;
  }
  int err = prepare(fd, file_length, failed);
  if (!err && (*lock_fd = weft_owner_lock_open(path)) < 0) err = -*lock_fd, *failed = "fcntl";
  if (err) {
    close(fd);
    unlink(path);
    return -err;
  }
  return fd;
}

// create(name, byteLength): a new segment, exclusive, mode 0600, fully reserved.
napi_value weft_create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[WEFT_NAME_BYTES], path[WEFT_NAME_BYTES + 16], what[WEFT_NAME_BYTES + 96];
  double requested = 0;
  if (!weft_args(env, info, 2, argv) || !weft_segment_name(env, argv[0], name)) return NULL;
  if (!weft_number(env, argv[1], "byteLength", &requested)) return NULL;
  if (!(requested >= 0) || requested > MAX_SAFE_INTEGER || requested != (double)(uint64_t)requested) {
    weft_throw_range(env, "byteLength must be a non-negative safe integer");
    return NULL;
  }
  size_t length = (size_t)requested;
  size_t file_length = weft_file_length_for(length);
  shm_path(name, path, sizeof path);
  snprintf(what, sizeof what, "cannot create shared memory segment \"%s\" (%zu bytes)", path, length);

  const char* failed = NULL;
  int lock_fd = -1;
  int fd = make_file(path, file_length, &lock_fd, &failed);
  if (fd < 0) {
    weft_throw_errno(env, -fd, failed, what, path);
    return NULL;
  }
  napi_value buffer = weft_map_buffer(env, fd, length, file_length, name);
  close(fd);
  if (!buffer) {
    unlink(path);
    close(lock_fd);
    return NULL;
  }
  weft_owned_add(name, lock_fd);  // keeps lock_fd, and the owner lock, until disowned or unlinked
  return buffer;
}

// open(name): maps an existing segment; its size comes from the file.
napi_value weft_open(napi_env env, napi_callback_info info) {
  char name[WEFT_NAME_BYTES], path[WEFT_NAME_BYTES + 16], what[WEFT_NAME_BYTES + 64];
  if (!name_and_path(env, info, name, path, sizeof path)) return NULL;
  snprintf(what, sizeof what, "cannot open shared memory segment \"%s\"", path);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    weft_throw_errno(env, errno, "open", what, path);
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    weft_throw_errno(env, err, "fstat", what, path);
    return NULL;
  }
  napi_value buffer = weft_map_buffer(env, fd, (size_t)st.st_size, (size_t)st.st_size, name);
  close(fd);
  return buffer;
}

// unlink(name): removes the name from /dev/shm; existing mappings stay valid.
napi_value weft_unlink(napi_env env, napi_callback_info info) {
  char name[WEFT_NAME_BYTES], path[WEFT_NAME_BYTES + 16], what[WEFT_NAME_BYTES + 64];
  if (!name_and_path(env, info, name, path, sizeof path)) return NULL;
  if (unlink(path) != 0) {
    snprintf(what, sizeof what, "cannot unlink shared memory segment \"%s\"", path);
    weft_throw_errno(env, errno, "unlink", what, path);
  }
  return NULL;
}

// segmentOf(view): name of the segment whose mapping holds the view's memory, or undefined.
napi_value weft_segment_of(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!weft_args(env, info, 1, argv)) return NULL;
  char* data = NULL;
  size_t length = 0;
  bool shared = false;
  if (!weft_view_memory(env, argv[0], &data, &length, &shared, NULL)) return NULL;
  char name[WEFT_NAME_BYTES];
  if (!shared || data == NULL || !weft_registry_lookup((uintptr_t)data, length, name)) return NULL;
  return weft_string(env, name);
}

napi_value weft_mapping_count(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  napi_create_double(env, (double)weft_registry_count(), &result);
  return result;
}

// Calls fn with the segment name passed as the only argument.
static napi_value with_name(napi_env env, napi_callback_info info, void (*fn)(const char*)) {
  char name[WEFT_NAME_BYTES], path[WEFT_NAME_BYTES + 16];
  if (name_and_path(env, info, name, path, sizeof path)) fn(name);
  return NULL;
}

static void own_name(const char* name) { (void)weft_owned_add(name, -1); }

// own(name): this process owns the segment: it removes it at exit (an atexit hook: the last
// resort behind the JavaScript exit and signal handlers) and holds its owner lock meanwhile.
// create() already owns what it makes; own() of that name changes nothing.
napi_value weft_own(napi_env env, napi_callback_info info) { return with_name(env, info, own_name); }

napi_value weft_disown(napi_env env, napi_callback_info info) { return with_name(env, info, weft_owned_remove); }

// unlinkOwned(): removes every owned name (already-missing ones are fine); returns the count.
napi_value weft_unlink_owned(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  napi_create_int32(env, weft_owned_unlink_all(), &result);
  return result;
}

// ownerHeld(name) -> 1 when a live process holds the segment's owner lock, 0 when none does,
// -1 when that cannot be told (the file cannot be opened: gone, or another user's).
napi_value weft_owner_held_js(napi_env env, napi_callback_info info) {
  char name[WEFT_NAME_BYTES], path[WEFT_NAME_BYTES + 16];
  if (!name_and_path(env, info, name, path, sizeof path)) return NULL;
  int r = weft_owner_held(path);
  napi_value result = NULL;
  napi_create_int32(env, r < 0 ? -1 : r, &result);
  return result;
}
