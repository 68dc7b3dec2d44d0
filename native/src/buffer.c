#include "buffer.h"
#include "registry.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WASM_PAGE ((size_t)65536)
#define WASM_MAX_PAGES ((size_t)65536)  // 4 GiB: the limit of a 32-bit WebAssembly memory

// Declared weak rather than through NAPI_EXPERIMENTAL: a Node that lacks the function leaves it
// NULL, and the module keeps its stable Node-API version.
typedef void (*weft_noenv_finalize)(void* data, void* hint);
extern napi_status node_api_create_external_sharedarraybuffer(napi_env env, void* data, size_t length,
                                                             weft_noenv_finalize finalize, void* hint,
                                                             napi_value* result) __attribute__((weak));

static bool use_remap(void) {
  static int decided = -1;
  if (decided < 0) {
    // WEFT_SHARED_BUFFER=remap forces the older path, so tests can cover it on every Node.
    const char* forced = getenv("WEFT_SHARED_BUFFER");
    decided = node_api_create_external_sharedarraybuffer == NULL || (forced && strcmp(forced, "remap") == 0);
  }
  return decided == 1;
}

const char* weft_buffer_path(void) { return use_remap() ? "remap" : "external"; }

static void throw_map_error(napi_env env, int err, const char* name, size_t length) {
  char path[WEFT_NAME_BYTES + 16], what[WEFT_NAME_BYTES + 96];
  snprintf(path, sizeof path, "/dev/shm/%s", name);
  snprintf(what, sizeof what, "cannot map shared memory segment \"%s\" (%zu bytes)", path, length);
  weft_throw_errno(env, err, "mmap", what, path);
}

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

size_t weft_file_length_for(size_t length) {
  if (use_remap()) return round_up(length == 0 ? 1 : length, WASM_PAGE);
  return length == 0 ? 1 : length;
}

static void unmap_external(void* data, void* hint) {
  weft_registry_remove((uintptr_t)data);
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value map_external(napi_env env, int fd, size_t length, const char* name) {
  size_t map_length = length == 0 ? 1 : length;  // mmap rejects 0
  void* data = mmap(NULL, map_length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    throw_map_error(env, errno, name, length);
    return NULL;
  }
  napi_value result = NULL;
  if (node_api_create_external_sharedarraybuffer(env, data, length, unmap_external,
                                                 (void*)(uintptr_t)map_length, &result) != napi_ok) {
    munmap(data, map_length);
    weft_throw_last_error(env, "node_api_create_external_sharedarraybuffer");
    return NULL;
  }
  weft_registry_add((uintptr_t)data, length, map_length, false, name);
  return result;
}

static napi_value global_property(napi_env env, napi_value object, const char* key) {
  napi_value value = NULL;
  napi_get_named_property(env, object, key, &value);
  return value;
}

// A SharedArrayBuffer of `pages` WebAssembly pages, and the address of its first byte.
static napi_value new_wasm_shared_buffer(napi_env env, size_t pages, char** data) {
  napi_value global, wasm, memory_class, descriptor, memory, buffer, pages_value, truthy;
  NAPI_OK(env, napi_get_global(env, &global));
  wasm = global_property(env, global, "WebAssembly");
  memory_class = global_property(env, wasm, "Memory");
  NAPI_OK(env, napi_create_object(env, &descriptor));
  NAPI_OK(env, napi_create_double(env, (double)pages, &pages_value));
  NAPI_OK(env, napi_get_boolean(env, true, &truthy));
  napi_set_named_property(env, descriptor, "initial", pages_value);
  napi_set_named_property(env, descriptor, "maximum", pages_value);
  napi_set_named_property(env, descriptor, "shared", truthy);
  if (napi_new_instance(env, memory_class, 1, &descriptor, &memory) != napi_ok) return NULL;
  buffer = global_property(env, memory, "buffer");
  // Node-API before version 10 cannot read a SharedArrayBuffer's address directly, but it can
  // read a view's.
  napi_value uint8_class = global_property(env, global, "Uint8Array"), view;
  NAPI_OK(env, napi_new_instance(env, uint8_class, 1, &buffer, &view));
  size_t byte_length = 0;
  bool shared = false;
  if (!weft_view_memory(env, view, data, &byte_length, &shared, NULL)) return NULL;
  if (byte_length != pages * WASM_PAGE || ((uintptr_t)*data % (uintptr_t)sysconf(_SC_PAGESIZE)) != 0) {
    weft_throw_range(env, "unexpected WebAssembly memory layout (%zu bytes at %p)", byte_length, (void*)*data);
    return NULL;
  }
  return buffer;
}

static napi_value map_remap(napi_env env, int fd, size_t length, size_t file_length, const char* name) {
  size_t pages = length == 0 ? 1 : round_up(length, WASM_PAGE) / WASM_PAGE;
  if (pages > WASM_MAX_PAGES) {
    weft_throw_range(env,
                     "a mapped segment of %zu bytes is over this Node's 4 GiB limit for mapped memory "
                     "(Node-API without node_api_create_external_sharedarraybuffer; Node 22.23+, 24.16+ "
                     "and 26.1+ have no such limit)",
                     length);
    return NULL;
  }
  char* data = NULL;
  napi_value buffer = new_wasm_shared_buffer(env, pages, &data);
  if (!buffer) return NULL;
  // Past the file's last page a mapping would fault (SIGBUS); the rest of the buffer, never
  // seen through the caller's views, stays V8's own zeroed memory.
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t map_length = round_up(file_length == 0 ? 1 : file_length, page);
  if (map_length > pages * WASM_PAGE) map_length = pages * WASM_PAGE;
  if (mmap(data, map_length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
    throw_map_error(env, errno, name, length);
    return NULL;
  }
  weft_registry_add((uintptr_t)data, length, map_length, true, name);
  return buffer;
}

napi_value weft_map_buffer(napi_env env, int fd, size_t length, size_t file_length, const char* name) {
  return use_remap() ? map_remap(env, fd, length, file_length, name) : map_external(env, fd, length, name);
}
