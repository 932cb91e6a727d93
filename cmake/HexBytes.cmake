# qcc_hex_bytes(PATH OUT): OUT is the contents of the file PATH as a C array
# initializer body, "0x..," bytes, 32 a line. Bytes rather than a path: a
# qcc binary that is moved or installed elsewhere still has them.
function(qcc_hex_bytes path out)
  file(READ "${path}" hex HEX)
  # 32 bytes a line (CMake's regular expressions have no {n}).
  string(REPEAT "[0-9a-f]" 64 line)
  string(REGEX REPLACE "(${line})" "\\1\n" bytes "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${bytes}")
  set(${out} "${bytes}" PARENT_SCOPE)
endfunction()
