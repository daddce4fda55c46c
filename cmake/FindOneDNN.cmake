# Finds oneDNN 3.x as JavaCPP's Maven artifact org.bytedeco:dnnl (classifier linux-x86_64)
# carries it: ONEDNN_ROOT holds libdnnl.so.3 (OpenMP CPU runtime, no OpenCL link) and include/.
# java/core's pom unpacks that jar and passes -DONEDNN_ROOT; a plain CMake run after one Maven
# build finds the same folder by default.
#
# Defines the imported target DNNL::dnnl on a copy of libdnnl.so.3 placed beside libattn4j.so
# (the build folder), together with the OpenMP runtime libgomp.so.1 of the compiler that builds
# attn4j: libattn4j.so looks for both through RUNPATH $ORIGIN, and the jar carries the three.
#
# Why our own find module: the artifact's lib/cmake/dnnl config points at lib/libdnnl.so.3.13,
# a path that artifact does not have (the library sits at its root).
set(ONEDNN_ROOT "${CMAKE_CURRENT_LIST_DIR}/../build/onednn/org/bytedeco/dnnl/linux-x86_64"
    CACHE PATH "Folder with libdnnl.so.3 and include/oneapi/dnnl (org.bytedeco:dnnl, unpacked)")

find_path(ONEDNN_INCLUDE_DIR oneapi/dnnl/dnnl.hpp PATHS "${ONEDNN_ROOT}/include" NO_DEFAULT_PATH)
find_file(ONEDNN_LIBRARY libdnnl.so.3 PATHS "${ONEDNN_ROOT}" NO_DEFAULT_PATH)
if(NOT ONEDNN_INCLUDE_DIR OR NOT ONEDNN_LIBRARY)
  message(FATAL_ERROR "oneDNN not found in ONEDNN_ROOT=${ONEDNN_ROOT}: expected libdnnl.so.3 and "
    "include/oneapi/dnnl/dnnl.hpp there. Build through Maven (./attn4j build), which unpacks "
    "org.bytedeco:dnnl (classifier linux-x86_64) and passes -DONEDNN_ROOT, or point -DONEDNN_ROOT "
    "at such a folder.")
endif()

# The version, from the header the library was built with.
file(STRINGS "${ONEDNN_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" _onednn_version_lines
     REGEX "#define DNNL_VERSION_(MAJOR|MINOR|PATCH) ")
foreach(_part MAJOR MINOR PATCH)
  string(REGEX REPLACE ".*#define DNNL_VERSION_${_part} ([0-9]+).*" "\\1" ONEDNN_VERSION_${_part}
         "${_onednn_version_lines}")
endforeach()
set(ONEDNN_VERSION "${ONEDNN_VERSION_MAJOR}.${ONEDNN_VERSION_MINOR}.${ONEDNN_VERSION_PATCH}")
if(ONEDNN_VERSION VERSION_LESS 3.13 OR ONEDNN_VERSION VERSION_GREATER_EQUAL 4.0)
  message(FATAL_ERROR "attn4j needs oneDNN 3.x (3.13 or later), found ${ONEDNN_VERSION} in ${ONEDNN_ROOT}")
endif()

# The OpenMP runtime of this compiler (GNU's libgomp). One runtime serves attn4j's own parallel
# loops and oneDNN's (libdnnl.so.3 needs GOMP_1.0, GOMP_4.0, OMP_1.0, which every libgomp has).
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libgomp.so.1
                OUTPUT_VARIABLE ONEDNN_GOMP OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${ONEDNN_GOMP}" OR NOT EXISTS "${ONEDNN_GOMP}")
  message(FATAL_ERROR "libgomp.so.1 of ${CMAKE_CXX_COMPILER} not found (got '${ONEDNN_GOMP}'); "
    "attn4j needs GCC's OpenMP runtime (Debian: libgomp1, installed with g++)")
endif()

# Copies (symlinks followed) beside libattn4j.so, where RUNPATH $ORIGIN finds them.
configure_file("${ONEDNN_LIBRARY}" "${CMAKE_BINARY_DIR}/libdnnl.so.3" COPYONLY)
configure_file("${ONEDNN_GOMP}" "${CMAKE_BINARY_DIR}/libgomp.so.1" COPYONLY)

add_library(DNNL::dnnl SHARED IMPORTED)
set_target_properties(DNNL::dnnl PROPERTIES
  IMPORTED_LOCATION "${CMAKE_BINARY_DIR}/libdnnl.so.3"
  IMPORTED_SONAME "libdnnl.so.3"
  INTERFACE_INCLUDE_DIRECTORIES "${ONEDNN_INCLUDE_DIR}")
message(STATUS "oneDNN ${ONEDNN_VERSION} (${ONEDNN_LIBRARY}); OpenMP runtime ${ONEDNN_GOMP}")
