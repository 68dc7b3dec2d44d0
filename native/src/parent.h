// Tying a process's life to its parent's: setParentDeathSignal(signal, expectedParentPid).
#pragma once
#include <node_api.h>

napi_value weft_set_parent_death_signal(napi_env env, napi_callback_info info);
