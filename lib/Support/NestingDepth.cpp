//===- NestingDepth.cpp - Bound the nesting of MLIR text ------------------===//

#include "qcc/Support/NestingDepth.h"

std::optional<size_t> qcc::findExcessiveNesting(llvm::StringRef text,
                                                unsigned limit) {
  unsigned depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
    case '"': // a string literal: skip to its closing quote
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      break;
    case '/': // a // comment: skip the line
      if (i + 1 < text.size() && text[i + 1] == '/')
        while (i < text.size() && text[i] != '\n')
          ++i;
      break;
    case '(':
    case '[':
    case '{':
    case '<':
      if (++depth > limit)
        return i;
      break;
    case '>':
      if (i > 0 && text[i - 1] == '-')
        break; // "->"
      [[fallthrough]];
    case ')':
    case ']':
    case '}':
      if (depth > 0)
        --depth;
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}
