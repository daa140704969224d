# Runs one guide program and compares its standard output, byte for byte, with the expected
# file shown in docs/guide.md:
#   cmake -DPROG=<program> -DEXPECTED=<expected.txt> -DACTUAL=<where to write it> -P check_output.cmake
# After an intended change of output, refresh the expected file (and the copy in guide.md) with
#   cmake -DPROG=... -DEXPECTED=... -DACTUAL=... -DUPDATE=ON -P check_output.cmake
execute_process(COMMAND ${PROG} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROG} exited with ${rc}\n--- stdout\n${out}--- stderr\n${err}")
endif()
file(WRITE ${ACTUAL} "${out}")
if(UPDATE)
  file(WRITE ${EXPECTED} "${out}")
  return()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${EXPECTED} ${ACTUAL} RESULT_VARIABLE differ)
if(differ)
  execute_process(COMMAND diff -u ${EXPECTED} ${ACTUAL})
  message(FATAL_ERROR "${PROG}: output differs from ${EXPECTED} (diff above)")
endif()
