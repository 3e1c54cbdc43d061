# Run a command that must fail (non-zero exit) with a message matching EXPECT.
# Run as: cmake "-DCMD=prog;arg;..." "-DEXPECT=regex" -P expect_failure.cmake
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a failure, got exit 0:\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "failed without the expected message '${EXPECT}':\n${out}${err}")
endif()
message(STATUS "failed as expected (exit ${rc}): ${EXPECT}")
