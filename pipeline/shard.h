// Sharding a batch over many processes or machines (Slurm job arrays), the
// way datatrove and dolma do it:
//  - input i of the byte-sorted listing (or of --inputs-from) belongs to shard i % N;
//  - a shard's outputs are named from its inputs only, so reruns and
//    duplicate executions write identical bytes;
//  - done/KKKKK.json, written last, records inputs, outputs (records,
//    sha256), version and config hash; a rerun with a matching manifest
//    skips the shard, a mismatching config hash is an error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/reader.h"

namespace copydesk {

struct ShardSpec {
  size_t index = 0;  // K
  size_t count = 1;  // N
};

// "K/N" with 0 <= K < N; nullopt with `error` set otherwise.
std::optional<ShardSpec> parse_shard(const std::string& text, std::string& error);

// The inputs of shard K (input i where i % N == K), keeping global indexes.
std::vector<InputFile> select_shard(const std::vector<InputFile>& all, const ShardSpec& shard);

// "00003": the zero-padded shard number used in file names.
std::string shard_name(size_t index);

struct ManifestOutput {
  std::string path;  // relative to the output folder
  uint64_t records = 0;
  uint64_t bytes = 0;
  std::string sha256;
};

struct Manifest {
  ShardSpec shard;
  std::string version;
  std::string config_hash;
  std::vector<std::string> inputs;
  std::vector<ManifestOutput> outputs;
  size_t documents = 0;
  size_t failed = 0;
};

std::string manifest_json(const Manifest& m);
// Reads a manifest; nullopt if absent or unreadable (then the shard is redone).
std::optional<Manifest> read_manifest(const std::string& path);

// A hash of everything that decides the output bytes: version, stages,
// settings, options, and the contents of the data files.
std::string config_hash(const std::vector<std::string>& parts, const std::string& data_dir);

}  // namespace copydesk
