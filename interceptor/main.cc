// memhook: the binary. All behaviour lives in the interceptor library.
#include <clocale>

#include "interceptor/hook.h"

int main(int argc, char** argv) {
  // GNU tools sort and classify characters by the environment's locale.
  std::setlocale(LC_ALL, "");
  return memhook::interceptor::Main(argc, argv);
}
