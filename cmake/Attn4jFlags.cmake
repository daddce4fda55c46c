# Compiler flags for libattn4j and its tests: portable (no -march=native), hidden symbols,
# warnings on. Kernels for an instruction set live in files named *_avx2.cpp / *_avx512.cpp,
# compiled with that ISA's flags alone and chosen at run time (see native/src/isa.h).
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_C_STANDARD 11)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

add_compile_options(-Wall -Wextra -Wno-unused-parameter)
string(APPEND CMAKE_CXX_FLAGS_RELEASE " -O3")
string(APPEND CMAKE_C_FLAGS_RELEASE " -O3")

# Marks every *_avx2.cpp among SOURCES for AVX2+FMA code generation and every *_avx512.cpp
# for AVX-512 F/BW/DQ/VL (512-bit vectors preferred where the compiler vectorises loops itself;
# GCC 12 warns about the deliberately undefined vectors inside its own AVX-512 intrinsics).
function(attn4j_isa_sources)
  foreach(src IN LISTS ARGN)
    if(src MATCHES "_avx2\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
    elseif(src MATCHES "_avx512\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS
        "-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-mavx2;-mfma;-mf16c;-mprefer-vector-width=512;-Wno-uninitialized;-Wno-maybe-uninitialized")
    endif()
  endforeach()
endfunction()

# The instruction sets of the machine that builds (and runs ctest): ATTN4J_HOST_ISAS lists
# those below its best, whose kernels ctest forces with ATTN4J_ISA.
include(CheckCSourceRuns)
check_c_source_runs("int main(void) { __builtin_cpu_init();
  return !(__builtin_cpu_supports(\"avx2\") && __builtin_cpu_supports(\"fma\")); }" ATTN4J_HOST_AVX2)
check_c_source_runs("int main(void) { __builtin_cpu_init();
  return !(__builtin_cpu_supports(\"avx512f\") && __builtin_cpu_supports(\"avx512bw\") &&
           __builtin_cpu_supports(\"avx512dq\") && __builtin_cpu_supports(\"avx512vl\") &&
           __builtin_cpu_supports(\"avx2\") && __builtin_cpu_supports(\"fma\")); }" ATTN4J_HOST_AVX512)
set(ATTN4J_HOST_ISAS "")
if(ATTN4J_HOST_AVX2)
  list(APPEND ATTN4J_HOST_ISAS portable)
endif()
if(ATTN4J_HOST_AVX512)
  list(APPEND ATTN4J_HOST_ISAS avx2)
endif()
