# Install typenet into a temporary prefix, then configure, build and run tests/package against it.
# Run as: cmake -DSOURCE=... -DWORK=... -P check.cmake
file(REMOVE_RECURSE ${WORK})
foreach(step
    "${CMAKE_COMMAND};-S;${SOURCE};-B;${WORK}/lib;-DTYPENET_BUILD_TESTS=OFF;-DTYPENET_BUILD_EXAMPLES=OFF;-DTYPENET_BUILD_BENCHMARKS=OFF"
    "${CMAKE_COMMAND};--install;${WORK}/lib;--prefix;${WORK}/prefix"
    "${CMAKE_COMMAND};-S;${SOURCE}/tests/package;-B;${WORK}/app;-DCMAKE_PREFIX_PATH=${WORK}/prefix"
    "${CMAKE_COMMAND};--build;${WORK}/app"
    "${WORK}/app/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed: ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "find_package(typenet) consumer built and ran")
