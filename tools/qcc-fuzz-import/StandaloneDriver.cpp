//===- StandaloneDriver.cpp - A mutation fuzzer without libFuzzer ---------===//
//
// Debian's clang-22 has libFuzzer only with libclang-rt-22-dev; without it
// qcc-fuzz-import is this driver: seeded, deterministic mutations of a seed
// corpus, each run in-process through qcc::fuzz::runOne. Half the mutations
// are byte-level (bit flips, interesting bytes, varint-shaped edits,
// insertions, deletions, duplications, splices of two seeds), which mostly
// test the protobuf and model checks; the other half parse the seed as an
// ONNX ModelProto and edit what converters read (attribute values, dims,
// node inputs and outputs, op types, opsets, tensor data), so that most of
// them reach the op converters, the verifier and the interpreter. It takes libFuzzer's flags, so one command line
// serves both builds:
//
//   qcc-fuzz-import -runs=N -seed=S -max_total_time=T [-artifact_prefix=P]
//                   CORPUS_DIR_OR_FILE...
//
// Before each run the input is written to P + "current-input" so that a
// crash (or a sanitizer report) leaves the input that caused it; a clean
// exit removes it.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FUZZ_WITH_LIBFUZZER // libFuzzer brings its own main()

#include "FuzzImport.h"

#include "llvm/ADT/StringRef.h"

#include <onnx/onnx_pb.h>
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using Bytes = std::vector<uint8_t>;

namespace {

struct Options {
  uint64_t runs = 1000;
  uint64_t seed = 1;
  double maxSeconds = 0; // 0: no limit
  size_t maxLength = 1 << 20;
  std::string artifactPrefix = "./";
  std::vector<std::string> corpus;
};

bool parseFlag(llvm::StringRef arg, llvm::StringRef name, uint64_t &value) {
  if (!arg.consume_front(("-" + name + "=").str()))
    return false;
  if (arg.getAsInteger(10, value)) {
    llvm::errs() << "qcc-fuzz-import: bad value for -" << name << "\n";
    std::exit(2);
  }
  return true;
}

void addCorpus(const std::string &path, std::vector<Bytes> &seeds) {
  if (llvm::sys::fs::is_directory(path)) {
    std::error_code ec;
    std::vector<std::string> files;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      files.push_back(it->path());
    std::sort(files.begin(), files.end()); // deterministic order
    for (const std::string &file : files)
      addCorpus(file, seeds);
    return;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    llvm::errs() << "qcc-fuzz-import: cannot read " << path << "\n";
    std::exit(2);
  }
  llvm::StringRef data = (*buffer)->getBuffer();
  seeds.emplace_back(data.begin(), data.end());
}

/// One to four random edits of `input`; `seeds` for splicing.
Bytes mutate(Bytes input, const std::vector<Bytes> &seeds, std::mt19937_64 &rng,
             size_t maxLength) {
  auto below = [&](size_t n) {
    return n == 0 ? 0 : static_cast<size_t>(rng() % n);
  };
  static const uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80,
                                        0xff, 0x08, 0x10, 0x40};
  const int edits = 1 + below(4);
  for (int e = 0; e < edits; ++e) {
    const size_t at = below(input.size() + 1);
    switch (below(8)) {
    case 0: // flip a bit
      if (!input.empty())
        input[below(input.size())] ^= uint8_t(1) << below(8);
      break;
    case 1: // an interesting byte
      if (!input.empty())
        input[below(input.size())] = interesting[below(sizeof interesting)];
      break;
    case 2: // a random byte
      if (!input.empty())
        input[below(input.size())] = static_cast<uint8_t>(rng());
      break;
    case 3: { // a varint-shaped run: large lengths and counts
      const size_t n = 1 + below(9);
      Bytes run(n, 0xff);
      run.back() = static_cast<uint8_t>(below(0x80));
      input.insert(input.begin() + at, run.begin(), run.end());
      break;
    }
    case 4: { // insert random bytes
      const size_t n = 1 + below(16);
      for (size_t i = 0; i < n; ++i)
        input.insert(input.begin() + at, static_cast<uint8_t>(rng()));
      break;
    }
    case 5: // delete a range
      if (at < input.size())
        input.erase(input.begin() + at,
                    input.begin() + std::min(input.size(), at + 1 + below(32)));
      break;
    case 6: // duplicate a range
      if (at < input.size()) {
        const size_t end = std::min(input.size(), at + 1 + below(64));
        Bytes copy(input.begin() + at, input.begin() + end);
        input.insert(input.begin() + below(input.size() + 1), copy.begin(),
                     copy.end());
      }
      break;
    default: { // splice: our head, another seed's tail
      const Bytes &other = seeds[below(seeds.size())];
      const size_t from = below(other.size() + 1);
      input.resize(at);
      input.insert(input.end(), other.begin() + from, other.end());
      break;
    }
    }
  }
  if (input.size() > maxLength)
    input.resize(maxLength);
  return input;
}

/// An "interesting" integer for a shape, an axis or an attribute.
int64_t interestingInt(std::mt19937_64 &rng) {
  static const int64_t values[] = {0,  1,  -1, 2,         -2,        3,
                                   7,  8,  64, 1000,      100000,    -100000,
                                   1LL << 31,  (1LL << 32) + 1, 1LL << 62,
                                   INT64_MAX,  INT64_MIN, -(1LL << 31)};
  return values[rng() % (sizeof values / sizeof values[0])];
}

/// A structural edit of a parsed model; false if `input` does not parse.
bool mutateModel(Bytes &input, const std::vector<Bytes> &seeds,
                 std::mt19937_64 &rng) {
  onnx::ModelProto model;
  if (!model.ParseFromArray(input.data(), static_cast<int>(input.size())) ||
      !model.has_graph())
    return false;
  onnx::GraphProto &graph = *model.mutable_graph();
  auto below = [&](size_t n) {
    return n == 0 ? 0 : static_cast<size_t>(rng() % n);
  };
  static const char *opTypes[] = {
      "Add",     "Conv",    "MatMul",  "Gemm",      "Relu",      "MaxPool",
      "Reshape", "Slice",   "Gather",  "Concat",    "Transpose", "Pad",
      "Split",   "Squeeze", "Softmax", "Flatten",   "Clip",      "Identity",
      "Shape",   "Unsqueeze", "ReduceMean", "BatchNormalization",
      "ConvTranspose", "AveragePool", "QuantizeLinear", "DequantizeLinear"};
  const int edits = 1 + below(3);
  for (int e = 0; e < edits; ++e) {
    onnx::NodeProto *node =
        graph.node_size() ? graph.mutable_node(below(graph.node_size()))
                          : nullptr;
    switch (below(9)) {
    case 0: // an integer attribute, or one entry of an ints attribute
      if (node && node->attribute_size()) {
        onnx::AttributeProto *a =
            node->mutable_attribute(below(node->attribute_size()));
        if (a->ints_size())
          a->set_ints(below(a->ints_size()), interestingInt(rng));
        else
          a->set_i(interestingInt(rng));
      }
      break;
    case 1: // drop or add an entry of an ints attribute
      if (node && node->attribute_size()) {
        onnx::AttributeProto *a =
            node->mutable_attribute(below(node->attribute_size()));
        if (a->ints_size() && below(2))
          a->mutable_ints()->RemoveLast();
        else
          a->add_ints(interestingInt(rng));
      }
      break;
    case 2: // a dim of an initializer (its data stays as it was)
      if (graph.initializer_size()) {
        onnx::TensorProto *t =
            graph.mutable_initializer(below(graph.initializer_size()));
        if (t->dims_size())
          t->set_dims(below(t->dims_size()), interestingInt(rng));
        else
          t->add_dims(interestingInt(rng));
      }
      break;
    case 3: // a dim of a graph input or output
      if (graph.input_size()) {
        auto *shape = graph.mutable_input(below(graph.input_size()))
                          ->mutable_type()
                          ->mutable_tensor_type()
                          ->mutable_shape();
        if (shape->dim_size())
          shape->mutable_dim(below(shape->dim_size()))
              ->set_dim_value(interestingInt(rng));
      }
      break;
    case 4: // rewire an input: another value, empty, or dropped
      if (node && node->input_size()) {
        const size_t i = below(node->input_size());
        if (below(3) == 0)
          node->set_input(i, "");
        else if (below(2) == 0 && graph.node_size())
          node->set_input(i, graph.node(below(graph.node_size())).output(0));
        else
          node->mutable_input()->RemoveLast();
      }
      break;
    case 5: // another op type with the same inputs and attributes
      if (node)
        node->set_op_type(opTypes[below(sizeof opTypes / sizeof *opTypes)]);
      break;
    case 6: // another opset
      if (model.opset_import_size())
        model.mutable_opset_import(0)->set_version(1 + below(23));
      break;
    case 7: // an initializer's data type or contents
      if (graph.initializer_size()) {
        onnx::TensorProto *t =
            graph.mutable_initializer(below(graph.initializer_size()));
        if (below(2))
          t->set_data_type(static_cast<int32_t>(below(17)));
        else if (!t->raw_data().empty())
          (*t->mutable_raw_data())[below(t->raw_data().size())] =
              static_cast<char>(rng());
      }
      break;
    default: // a node from another seed's graph, appended
      if (!seeds.empty()) {
        onnx::ModelProto other;
        const Bytes &o = seeds[below(seeds.size())];
        if (other.ParseFromArray(o.data(), static_cast<int>(o.size())) &&
            other.graph().node_size())
          *graph.add_node() = other.graph().node(below(other.graph().node_size()));
      }
      break;
    }
  }
  std::string out;
  if (!model.SerializeToString(&out))
    return false;
  input.assign(out.begin(), out.end());
  return true;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    uint64_t value;
    if (parseFlag(arg, "runs", options.runs) ||
        parseFlag(arg, "seed", options.seed))
      continue;
    if (parseFlag(arg, "max_total_time", value)) {
      options.maxSeconds = static_cast<double>(value);
      continue;
    }
    if (parseFlag(arg, "max_len", value)) {
      options.maxLength = value;
      continue;
    }
    if (arg.consume_front("-artifact_prefix=")) {
      options.artifactPrefix = arg.str();
      continue;
    }
    if (arg.starts_with("-")) {
      llvm::errs() << "qcc-fuzz-import: unknown flag " << arg << "\n";
      return 2;
    }
    options.corpus.push_back(arg.str());
  }
  std::vector<Bytes> seeds;
  for (const std::string &path : options.corpus)
    addCorpus(path, seeds);
  if (seeds.empty()) {
    llvm::errs() << "usage: qcc-fuzz-import [-runs=N] [-seed=S] "
                    "[-max_total_time=T] [-artifact_prefix=P] CORPUS...\n";
    return 2;
  }

  const std::string current = options.artifactPrefix + "current-input";
  std::mt19937_64 rng(options.seed);
  const auto start = std::chrono::steady_clock::now();
  uint64_t counts[3] = {0, 0, 0};
  uint64_t done = 0;
  // The seeds themselves first, then mutations.
  for (; done < options.runs + seeds.size(); ++done) {
    if (options.maxSeconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                .count() > options.maxSeconds)
      break;
    Bytes input;
    if (done < seeds.size()) {
      input = seeds[done];
    } else {
      input = seeds[rng() % seeds.size()];
      if (rng() % 2 == 0 || !mutateModel(input, seeds, rng))
        input = mutate(std::move(input), seeds, rng, options.maxLength);
    }
    {
      std::ofstream out(current, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char *>(input.data()), input.size());
    }
    const auto outcome = qcc::fuzz::runOne(input.data(), input.size());
    ++counts[static_cast<int>(outcome)];
  }
  std::remove(current.c_str());
  qcc::fuzz::removeScratchDirectory();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  llvm::outs() << "qcc-fuzz-import: " << done << " inputs (" << seeds.size()
               << " seeds, seed " << options.seed << ") in "
               << llvm::format("%.1f", seconds) << " s: " << counts[0]
               << " rejected by the importer, " << counts[1]
               << " imported (interpreter error), " << counts[2]
               << " imported and run; no crash\n";
  return 0;
}

#endif // QCC_FUZZ_WITH_LIBFUZZER
