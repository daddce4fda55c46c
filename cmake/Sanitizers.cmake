# -DATTN4J_SANITIZE=ON builds the library and the C tests with AddressSanitizer and UBSan
# (UBSan traps nothing silently: every finding aborts the test that made it).
option(ATTN4J_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(ATTN4J_SANITIZE)
  set(ATTN4J_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  add_compile_options(${ATTN4J_SAN_FLAGS})
  add_link_options(${ATTN4J_SAN_FLAGS})
endif()
