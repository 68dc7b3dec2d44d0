// setParentDeathSignal(signal, expectedParentPid) -> boolean
//
// prctl(PR_SET_PDEATHSIG) asks the kernel to send `signal` to this process when its parent goes,
// which a process worker uses so that it cannot outlive a SIGKILLed pool. The parent may already
// be gone before the call (the child was then reparented and no signal will ever come), so the
// call is followed by getppid(): false means "already orphaned, exit now".
//
// Note for callers: Linux sends the signal when the parent *thread* that forked the child ends,
// not the parent process. A child spawned from a worker thread gets the signal when that worker
// thread ends, even though the process lives on.
#include "parent.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

napi_value weft_set_parent_death_signal(napi_env env, napi_callback_info info) {
  napi_value argv[2], result = NULL;
  double signal = 0, expected = 0;
  if (!weft_args(env, info, 2, argv) || !weft_number(env, argv[0], "signal", &signal) ||
      !weft_number(env, argv[1], "expectedParentPid", &expected))
    return NULL;
  if (!(signal >= 0 && signal < NSIG && signal == (double)(int)signal)) {
    weft_throw_range(env, "signal must be a signal number in [0, %d), got %g", NSIG, signal);
    return NULL;
  }
  if (prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0) != 0) {
    weft_throw_errno(env, errno, "prctl", "cannot set the parent-death signal", "");
    return NULL;
  }
  napi_get_boolean(env, (double)getppid() == expected, &result);
  return result;
}
