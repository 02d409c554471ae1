// memhook: the binary. All behaviour lives in the interceptor library.
#include "interceptor/hook.h"

int main(int argc, char** argv) { return memhook::interceptor::Main(argc, argv); }
