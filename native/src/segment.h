// The JavaScript functions over /dev/shm segments: create, open, unlink, segmentOf,
// mappingCount, own, disown, unlinkOwned, ownerHeld.
#pragma once
#include <node_api.h>

napi_value weft_create(napi_env env, napi_callback_info info);
napi_value weft_open(napi_env env, napi_callback_info info);
napi_value weft_unlink(napi_env env, napi_callback_info info);
napi_value weft_segment_of(napi_env env, napi_callback_info info);
napi_value weft_mapping_count(napi_env env, napi_callback_info info);
napi_value weft_own(napi_env env, napi_callback_info info);
napi_value weft_disown(napi_env env, napi_callback_info info);
napi_value weft_unlink_owned(napi_env env, napi_callback_info info);
napi_value weft_owner_held_js(napi_env env, napi_callback_info info);
