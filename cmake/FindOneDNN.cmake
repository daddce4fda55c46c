# Finds Debian's oneDNN 2.x (libdnnl-dev) through its CMake config, with a clear message when
# it is missing. Its config also needs OpenCL's headers (ocl-icd-opencl-dev).
find_package(dnnl CONFIG QUIET)
if(NOT dnnl_FOUND)
  message(FATAL_ERROR "oneDNN not found: apt-get install --no-install-recommends libdnnl-dev ocl-icd-opencl-dev")
endif()
if(dnnl_VERSION VERSION_LESS 2.6 OR dnnl_VERSION VERSION_GREATER_EQUAL 3.0)
  message(FATAL_ERROR "attn4j needs oneDNN 2.x (2.6 or later), found ${dnnl_VERSION}")
endif()
message(STATUS "oneDNN ${dnnl_VERSION}")
