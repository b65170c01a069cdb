// The lakeshare binary: `serve` runs the sharing server from a config file,
// `demo` generates sample tables and serves them, `admin` manages a catalog
// database (cli/admin_command.h), `generate-delta` and `generate-iceberg`
// write synthetic tables for benchmarks (demo/synthetic_*_table.h). A bad
// command line exits with 2.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "cli/admin_command.h"
#include "cli/demo_command.h"
#include "cli/huge_page_malloc.h"
#include "cli/log_format.h"
#include "cli/progress_printer.h"
#include "cli/serve_command.h"
#include "config/server_config.h"
#include "demo/synthetic_delta_table.h"
#include "demo/synthetic_iceberg_table.h"
#include "hudi/hudi_writer.h"

int main(int argc, char** argv) {
  using namespace lakeshare;
  // The commands that hold snapshots (the servers) run on huge pages.
  if (argc > 1 && (std::string_view(argv[1]) == "serve" || std::string_view(argv[1]) == "demo")) {
    ReexecWithHugePageMalloc(argv);
  }
  CLI::App app{"lakeshare: a Delta Sharing server for lakehouse tables"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("lakeshare ") + LAKESHARE_VERSION);

  std::string config_path;
  std::string host;
  int port = -1;
  CLI::App* serve = app.add_subcommand("serve", "Serve the shares of a configuration file");
  serve->add_option("-c,--config", config_path, "YAML configuration file")->required();
  serve->add_option("--host", host, "Listen address (overrides the config)");
  serve->add_option("--port", port, "Listen port, 0 for any free port (overrides the config)")
      ->check(CLI::Range(0, 65535));

  std::string import_config_path;
  CLI::App* import_config = app.add_subcommand(
      "import-config", "Import a YAML config's shares and recipients into its catalogUrl database");
  import_config->add_option("-c,--config", import_config_path, "YAML configuration file")
      ->required();
  bool import_no_check = false;
  import_config->add_flag("--no-check", import_no_check,
                          "Import tables without reading them (tables that will exist later)");

  std::string user_config_path, user_name;
  bool user_viewer = false;
  CLI::App* create_user = app.add_subcommand(
      "create-admin-user",
      "Create a user of the admin API (password read from stdin, or LAKESHARE_ADMIN_PASSWORD)");
  create_user->add_option("-c,--config", user_config_path, "YAML configuration file")->required();
  create_user->add_option("--name", user_name, "User name")->required();
  create_user->add_flag("--viewer", user_viewer, "Read-only role (default: admin)");

  DemoOptions demo_options;
  CLI::App* demo = app.add_subcommand("demo", "Generate sample tables and serve them");
  demo->add_option("--dir", demo_options.dir, "Folder for the demo tables, config and profile")
      ->capture_default_str();
  demo->add_option("--host", demo_options.host, "Listen address")->capture_default_str();
  demo->add_option("--port", demo_options.port, "Listen port (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));

  std::string delta_dir;
  SyntheticTableOptions delta_gen;
  CLI::App* gen_delta = app.add_subcommand(
      "generate-delta",
      "Write a synthetic Delta table for benchmarks: N active files in a parquet checkpoint "
      "(version 0) plus K JSON commits after it, each adding and removing a few files. Only the "
      "_delta_log is written; the data files it names do not exist.");
  gen_delta->add_option("--dir", delta_dir, "Table folder (must not hold a _delta_log yet)")
      ->required();
  gen_delta->add_option("--files", delta_gen.files, "Active files in the checkpoint")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  gen_delta->add_option("--commits", delta_gen.commits, "JSON commits after the checkpoint")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  gen_delta
      ->add_option("--commits-before-checkpoint", delta_gen.commits_before_checkpoint,
                   "JSON commits 1..H before the checkpoint (then of version H; commit 0 "
                   "holds the files)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  gen_delta->add_option("--partitions", delta_gen.partitions, "Distinct date partition values")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  gen_delta->add_option("--adds-per-commit", delta_gen.adds_per_commit, "Files each commit adds")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  gen_delta
      ->add_option("--removes-per-commit", delta_gen.removes_per_commit,
                   "Files each commit removes")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  gen_delta
      ->add_option("--rows-per-row-group", delta_gen.rows_per_row_group,
                   "Checkpoint rows per parquet row group")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  gen_delta->add_option("--seed", delta_gen.seed, "Random seed (same seed, same table)")
      ->capture_default_str();

  AdminCommand admin(&app);
  IcebergGeneratorOptions gen;
  CLI::App* generate = app.add_subcommand(
      "generate-iceberg", "Write a synthetic Iceberg table (for benchmarks and tests)");
  generate->add_option("--dir", gen.dir, "Table folder to create")->required();
  generate->add_option("--files", gen.files, "Data files in the latest snapshot")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  generate->add_option("--snapshots", gen.snapshots, "Append snapshots the files are spread over")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  generate->add_option("--rows-per-file", gen.rows_per_file, "Rows in each data file")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  generate->add_option("--files-per-manifest", gen.files_per_manifest, "Entries per manifest")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100000000}));
  bool metadata_only = false;
  generate->add_flag("--metadata-only", metadata_only,
                     "Write manifests and metadata only, no parquet files");
  generate
      ->add_option("--delete-fraction", gen.delete_fraction,
                   "Fraction of data files that a last snapshot gives v2 position deletes")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  generate->add_option("--deletes-per-file", gen.deletes_per_file, "Rows deleted in each such file")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  generate->add_flag("--delete-file-per-data-file", gen.delete_file_per_data_file,
                     "One position delete file per data file (default: one per partition)");
  generate->add_option("--delete-format", gen.delete_format, "Position delete files' format")
      ->capture_default_str()
      ->check(CLI::IsMember({"parquet", "avro"}));

  hudi::SyntheticTableOptions hudi_gen;
  std::string hudi_type = "cow";
  CLI::App* gen_hudi = app.add_subcommand(
      "generate-hudi",
      "Write a synthetic Hudi table (benchmarks and tests): N files over K commits, optionally "
      "merge-on-read with updated and deleted rows in log files");
  gen_hudi->add_option("--dir", hudi_gen.dir, "Table folder (must not hold a table yet)")
      ->required();
  gen_hudi->add_option("--files", hudi_gen.files, "File groups (base files)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  gen_hudi->add_option("--commits", hudi_gen.commits, "Insert commits the files are spread over")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  gen_hudi->add_option("--rows-per-file", hudi_gen.rows_per_file, "Rows in each base file")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  gen_hudi->add_option("--partitions", hudi_gen.partitions, "Distinct day partitions")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{31}));
  gen_hudi->add_option("--table-version", hudi_gen.table_version, "Hudi table version: 6 or 9")
      ->capture_default_str()
      ->check(CLI::IsMember({6, 8, 9}));
  gen_hudi->add_option("--table-type", hudi_type, "cow or mor")
      ->capture_default_str()
      ->check(CLI::IsMember({"cow", "mor"}));
  gen_hudi
      ->add_option("--update-fraction", hudi_gen.update_fraction,
                   "mor: share of each group's rows updated in a log file")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  gen_hudi
      ->add_option("--delete-fraction", hudi_gen.delete_fraction,
                   "mor: share of each group's rows deleted in a log file")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  gen_hudi->add_flag("--rewrite-and-clean", hudi_gen.rewrite_and_clean,
                     "Rewrite the first file group, then clean its old base file");
  gen_hudi->add_flag("--cdc", hudi_gen.cdc,
                     "Hudi CDC. cow: a last commit rewrites the first file group (deleting, "
                     "updating and inserting rows) and logs it in --cdc-mode; mor: changes are "
                     "inferred from the log files");
  gen_hudi
      ->add_option("--cdc-mode", hudi_gen.cdc_mode,
                   "The change log's supplemental logging mode (with --cdc)")
      ->capture_default_str()
      ->check(CLI::IsMember({"data_before_after", "data_before", "op_key_only"}));
  gen_hudi->add_flag("--overwrite-partition", hudi_gen.overwrite_partition,
                     "A last replacecommit (insert_overwrite) replaces the groups of the last "
                     "partition with one new group");
  gen_hudi
      ->add_option("--archive", hudi_gen.archive_instants,
                   "Move the first N instants to the archived timeline")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  bool hudi_metadata_only = false;
  gen_hudi->add_flag("--metadata-only", hudi_metadata_only,
                     "Write the timeline only, no parquet or log files");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // prints help or the error
    return rc == 0 ? 0 : kAdminUsage;
  }
  // Logs go to stderr; stdout carries only what scripts read ("listening on").
  spdlog::set_default_logger(spdlog::stderr_color_mt("lakeshare"));
  ConfigureLogging(LogFormat::kText, spdlog::level::info);  // `serve` applies the config's

  auto print_listening = [](const std::string& url) {
    std::cout << "listening on " << url << std::endl;
  };
  if (admin.selected()) return admin.Run();
  Status status;
  if (*serve) {
    auto config = LoadServerConfig(config_path);
    if (!config.ok()) {
      std::cerr << "lakeshare: " << config.status().message() << std::endl;
      return 2;
    }
    // SIGHUP reads the file and the environment again, with the same overrides.
    auto load = [config_path, host, port]() -> Result<ServerConfig> {
      LS_ASSIGN_OR_RETURN(ServerConfig c, LoadServerConfig(config_path));
      if (!host.empty()) c.host = host;
      if (port >= 0) c.port = port;
      return c;
    };
    if (!host.empty()) config->host = host;
    if (port >= 0) config->port = port;
    status = RunServer(*config, print_listening, load);
  } else if (*import_config) {
    auto config = LoadServerConfig(import_config_path);
    if (!config.ok()) {
      std::cerr << "lakeshare: " << config.status().message() << std::endl;
      return 2;
    }
    auto summary = ImportConfigIntoDatabase(*config, !import_no_check);
    if (summary.ok()) std::cout << *summary << std::endl;
    status = summary.status();
  } else if (*create_user) {
    auto config = LoadServerConfig(user_config_path);
    if (!config.ok()) {
      std::cerr << "lakeshare: " << config.status().message() << std::endl;
      return 2;
    }
    std::string password;
    if (const char* env = std::getenv("LAKESHARE_ADMIN_PASSWORD")) {
      password = env;
    } else {
      std::getline(std::cin, password);
    }
    status = CreateAdminUser(*config, user_name, password, user_viewer);
    if (status.ok()) std::cout << "created admin user '" << user_name << "'" << std::endl;
  } else if (*demo) {
    status = RunDemo(demo_options);
  } else if (*gen_delta) {
    ProgressPrinter progress("generate-delta", &std::cerr);
    delta_gen.progress = [&progress](std::string_view stage, int64_t done, int64_t total) {
      progress.Report(stage, done, total);
    };
    auto summary = GenerateSyntheticTable(delta_dir, delta_gen);
    if (summary.ok()) {
      std::cout << "wrote " << delta_dir << ": checkpoint at version "
                << summary->checkpoint_version << " (" << summary->checkpoint_bytes
                << " bytes), latest version " << summary->latest_version << ", "
                << summary->active_files << " active files" << std::endl;
    }
    status = summary.status();
  } else if (*gen_hudi) {
    hudi_gen.merge_on_read = hudi_type == "mor";
    hudi_gen.metadata_only = hudi_metadata_only;
    auto table = hudi::GenerateSyntheticHudiTable(hudi_gen);
    if (table.ok()) {
      std::cout << "wrote Hudi table " << hudi_gen.dir << ": " << table->base_files
                << " base files, " << table->log_files << " log files, " << table->rows
                << " rows, latest version " << table->latest_version << std::endl;
    }
    status = table.status();
  } else if (*generate) {
    gen.write_data = !metadata_only;
    ProgressPrinter progress("generate-iceberg", &std::cerr);
    gen.progress = [&progress](std::string_view stage, int64_t done, int64_t total) {
      progress.Report(stage, done, total);
    };
    auto table = GenerateIcebergTable(gen);
    if (table.ok()) {
      std::cout << "wrote Iceberg table " << gen.dir << ": " << table->files << " data files, "
                << table->rows << " rows, " << table->delete_files << " position delete files ("
                << table->deleted_rows << " rows deleted in " << table->files_with_deletes
                << " data files), latest version " << table->latest_version << std::endl;
    }
    status = table.status();
  }
  if (!status.ok()) {
    std::cerr << "lakeshare: " << status.message() << std::endl;
    return 1;
  }
  return 0;
}
