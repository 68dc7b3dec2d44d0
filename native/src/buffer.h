// A MAP_SHARED mapping of a /dev/shm file, exposed to JavaScript as a SharedArrayBuffer.
#pragma once
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

// How mapped memory becomes a SharedArrayBuffer in this Node:
//  "external": node_api_create_external_sharedarraybuffer (Node >= 22.23, 24.16, 26.1 here):
//              weft maps the file and hands the pages to V8, which calls back to unmap them.
//  "remap":    older Nodes: a shared WebAssembly.Memory gives a SharedArrayBuffer over pages
//              V8 reserved by itself; weft maps the file over them (MAP_FIXED). V8 unmaps the
//              whole reservation when the last buffer goes. Limited to 4 GiB per segment.
const char* weft_buffer_path(void);

// Maps `map_length` bytes of fd and returns a SharedArrayBuffer of at least `length` bytes
// over them, registered under `name` (see registry.h). Does not close fd. NULL after throwing.
napi_value weft_map_buffer(napi_env env, int fd, size_t length, size_t file_length, const char* name);

// Bytes a file must hold for weft_map_buffer to map `length` visible bytes on this path.
size_t weft_file_length_for(size_t length);
