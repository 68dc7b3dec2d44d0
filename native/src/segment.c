// Segment creation and mapping. A segment's memory lives as long as some SharedArrayBuffer (in
// any thread of the process) still refers to it; unlinking the name only removes it from
// /dev/shm, and the pages go back to the system once the last mapping in every process is gone.
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
  shm_path(name, path, sizeof path);
  snprintf(what, sizeof what, "cannot create shared memory segment \"%s\" (%zu bytes)", path, length);

  int fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    weft_throw_errno(env, errno, "open", what, path);
    return NULL;
  }
  (void)fchmod(fd, 0600);  // open() applied the umask; make the mode exactly 0600
  size_t file_length = weft_file_length_for(length);
  const char* failed = NULL;
  int err = 0;
  if (ftruncate(fd, (off_t)file_length) != 0) {
    failed = "ftruncate";
    err = errno;
  } else {
    // tmpfs allocates lazily: without reserving now, a full /dev/shm would show up later as
    // SIGBUS on first touch of a page. posix_fallocate turns that into ENOSPC here.
    err = posix_fallocate(fd, 0, (off_t)file_length);
    if (err == EOPNOTSUPP || err == EINVAL) err = 0;
    if (err) failed = "posix_fallocate";
  }
  if (failed) {
    close(fd);
    unlink(path);
    weft_throw_errno(env, err, failed, what, path);
    return NULL;
  }
  napi_value buffer = weft_map_buffer(env, fd, length, file_length, name);
  close(fd);
  if (!buffer) unlink(path);
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

// own(name): this process created the segment and removes it at exit (an atexit hook: the last
// resort behind the JavaScript exit and signal handlers).
napi_value weft_own(napi_env env, napi_callback_info info) { return with_name(env, info, weft_owned_add); }

napi_value weft_disown(napi_env env, napi_callback_info info) { return with_name(env, info, weft_owned_remove); }

// unlinkOwned(): removes every owned name (already-missing ones are fine); returns the count.
napi_value weft_unlink_owned(napi_env env, napi_callback_info info) {
  napi_value result = NULL;
  napi_create_int32(env, weft_owned_unlink_all(), &result);
  return result;
}
