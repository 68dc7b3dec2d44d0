// Liveness tokens (see liveness.c): liveToken() and liveCheck(token).
#pragma once
#include <node_api.h>

napi_value weft_live_token(napi_env env, napi_callback_info info);
napi_value weft_live_check(napi_env env, napi_callback_info info);
