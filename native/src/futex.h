// The Linux futex on a word of shared memory, shared between processes (no FUTEX_PRIVATE_FLAG):
// futexWait, futexWake, futexWaitAsync.
#pragma once
#include <node_api.h>

napi_value weft_futex_wait(napi_env env, napi_callback_info info);
napi_value weft_futex_wake(napi_env env, napi_callback_info info);
napi_value weft_futex_wait_async(napi_env env, napi_callback_info info);

// Per-environment set-up (main thread and each worker thread): the list of pending async
// waits, and the cleanup hook that releases them when the environment is torn down.
napi_status weft_futex_init(napi_env env);
