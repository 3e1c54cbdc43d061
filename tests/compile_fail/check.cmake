# Compile one file that must not compile, and require the diagnostic named on its
# "// expect:" line in the compiler's output. Run as: cmake -DCXX=... -DSRC=... -DINC=... [-DEXTRA_INC=dirs] -P check.cmake
file(STRINGS ${SRC} expect_line REGEX "^// expect: ")
string(REGEX REPLACE "^// expect: " "" expected "${expect_line}")
set(extra "")
foreach(d ${EXTRA_INC})
  list(APPEND extra -I${d})
endforeach()
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only ${INC} ${extra} ${SRC}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SRC} compiled, but it must fail with: ${expected}")
endif()
string(FIND "${err}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SRC} failed without the expected message '${expected}':\n${err}")
endif()
message(STATUS "failed as expected: ${expected}")
