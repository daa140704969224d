# docs/guide.md shows each program's output: check that every expected file appears in it
# verbatim, so the guide cannot drift from what the programs print.
#   cmake -DGUIDE=docs/guide.md -DEXPECTED_DIR=examples/guide/expected -P check_guide.cmake
file(READ ${GUIDE} guide)
file(GLOB files ${EXPECTED_DIR}/*.txt)
list(LENGTH files n)
if(n EQUAL 0)
  message(FATAL_ERROR "no expected files in ${EXPECTED_DIR}")
endif()
foreach(f ${files})
  file(READ ${f} want)
  string(FIND "${guide}" "```text\n${want}```" at)
  if(at EQUAL -1)
    get_filename_component(name ${f} NAME)
    message(FATAL_ERROR "${GUIDE} does not show ${name} verbatim in a ```text block")
  endif()
endforeach()
message(STATUS "guide.md shows all ${n} outputs")
