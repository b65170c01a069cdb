// Golden tests of the sharing service: each tests/golden/**/*.golden file is
// a request and the response expected for it (status, headers, body), with
// run-dependent values normalised. The service is called in-process (no
// sockets). LAKESHARE_UPDATE_GOLDEN=1 rewrites the expected parts instead
// of comparing; tests/golden/README.md says how to add a case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/yaml_catalog.h"
#include "config/server_config.h"
#include "protocol/sharing_routes.h"
#include "protocol/sharing_service.h"
#include "server/request_target.h"
#include "storage/storage_registry.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kResponseMarker = "--- response";
constexpr std::string_view kNoNewline = "\\ no newline at end of body";
constexpr std::string_view kHideFileIds = "# options: hide-file-ids";

fs::path GoldenDir() { return fs::path(LAKESHARE_GOLDEN_DIR); }

bool UpdateMode() {
  const char* v = std::getenv("LAKESHARE_UPDATE_GOLDEN");
  return v != nullptr && std::string_view(v) == "1";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A case file: the request part as written, and the expected response part.
struct GoldenCase {
  std::string request_text;  // everything before the response marker
  std::string expected;      // everything after it
  bool hide_file_ids = false;
  HttpRequest request;
};

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

Result<GoldenCase> ParseCase(const std::string& text) {
  GoldenCase c;
  size_t marker = text.find("\n" + std::string(kResponseMarker) + "\n");
  if (marker == std::string::npos) {
    c.request_text = text;
  } else {
    c.request_text = text.substr(0, marker + 1);
    c.expected = text.substr(marker + 2 + kResponseMarker.size());
  }
  std::vector<std::string> lines = Lines(c.request_text);
  size_t i = 0;
  for (; i < lines.size() && (lines[i].empty() || lines[i][0] == '#'); ++i) {
    if (lines[i] == kHideFileIds) c.hide_file_ids = true;
  }
  if (i == lines.size()) return Status::InvalidArgument("no request line");
  size_t space = lines[i].find(' ');
  if (space == std::string::npos) return Status::InvalidArgument("bad request line");
  c.request.method = lines[i].substr(0, space);
  c.request.target = lines[i].substr(space + 1);
  LS_ASSIGN_OR_RETURN(RequestTarget target, ParseRequestTarget(c.request.target));
  c.request.path = std::move(target.path);
  c.request.query = std::move(target.query);
  c.request.remote_address = "192.0.2.1";
  for (++i; i < lines.size() && !lines[i].empty(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) return Status::InvalidArgument("bad header: " + lines[i]);
    std::string name = lines[i].substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    std::string value = lines[i].substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    c.request.headers.emplace_back(std::move(name), std::move(value));
  }
  for (++i; i < lines.size(); ++i) {
    if (!c.request.body.empty()) c.request.body += '\n';
    c.request.body += lines[i];
  }
  return c;
}

// Values that differ from run to run (or checkout to checkout) become
// placeholders; everything else is compared byte for byte.
std::string Normalize(std::string text, bool hide_file_ids) {
  for (const std::string& root : {fs::weakly_canonical(LAKESHARE_TESTDATA_DIR).string(),
                                  std::string(LAKESHARE_TESTDATA_DIR)}) {
    for (size_t pos = text.find(root); pos != std::string::npos; pos = text.find(root, pos)) {
      text.replace(pos, root.size(), "<testdata>");
    }
  }
  struct Rule {
    std::regex pattern;
    const char* replacement;
  };
  static const auto* rules = new std::vector<Rule>{
      // Local file URLs: the sealed path hides an absolute path; expiry and
      // signature follow the clock.
      {std::regex(R"re(/files/[A-Za-z0-9_-]+\?expires=[0-9]+&signature=[A-Za-z0-9_-]+)re"),
       "/files/<sealed>?expires=<expires>&signature=<signature>"},
      {std::regex(R"re("(expirationTimestamp|minUrlExpirationTimestamp)":[0-9]+)re"),
       R"re("$1":<expiration>)re"},
      {std::regex(R"re("(nextPageToken|refreshToken)":"[A-Za-z0-9_-]*")re"),
       R"re("$1":"<token>")re"},
      // A Delta commit's time is its log file's modification time, which a
      // checkout sets.
      {std::regex(R"re("timestamp":[0-9]+)re"), R"re("timestamp":<commit-time>)re"},
  };
  for (const Rule& rule : *rules) text = std::regex_replace(text, rule.pattern, rule.replacement);
  if (hide_file_ids) {
    // Iceberg records absolute file paths, so their ids depend on the checkout.
    static const auto* ids =
        new std::regex(R"re("(id|deletionVectorFileId)":"([0-9a-f]{64}|[0-9a-f]{32})")re");
    text = std::regex_replace(text, *ids, R"re("$1":"<file-id>")re");
  }
  return text;
}

Result<std::string> Body(HttpResponse& response) {
  std::string body = response.body;
  if (response.stream) {
    while (true) {
      LS_ASSIGN_OR_RETURN(bool more, response.stream->Next(&body, 64 * 1024));
      if (!more) break;
    }
  }
  return body;
}

Result<std::string> Render(HttpResponse& response, bool hide_file_ids) {
  std::string out = std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\n";
  out += "\n";
  LS_ASSIGN_OR_RETURN(std::string body, Body(response));
  out += body;
  if (!body.empty() && body.back() != '\n') out += "\n" + std::string(kNoNewline) + "\n";
  return Normalize(std::move(out), hide_file_ids);
}

std::vector<fs::path> CaseFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(GoldenDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".golden") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string CaseName(const fs::path& file) {
  std::string name = fs::relative(file, GoldenDir()).replace_extension().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// One service over the golden catalog for all cases (its caches are shared,
// as in a server).
SharingService& Service() {
  static SharingService* service = [] {
    Result<ServerConfig> config = LoadServerConfig((GoldenDir() / "catalog.yaml").string());
    if (!config.ok()) {
      ADD_FAILURE() << config.status();
      std::abort();
    }
    SharingServiceOptions options;
    options.endpoint = config->endpoint;
    options.public_url = config->public_url;
    options.presigned_url_timeout_seconds = config->presigned_url_timeout_seconds;
    options.page_token_key = "golden-page-token-key";
    auto storage = std::make_shared<StorageRegistry>("golden-local-url-signing-key");
    return new SharingService(options, std::make_shared<YamlCatalog>(*config), storage);
  }();
  return *service;
}

class SharingGoldenTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(SharingGoldenTest, MatchesGoldenFile) {
  const fs::path& file = GetParam();
  ASSERT_OK_AND_ASSIGN(GoldenCase c, ParseCase(ReadFile(file)));
  HttpResponse response = Service().Handle(c.request);
  ASSERT_OK_AND_ASSIGN(std::string actual, Render(response, c.hide_file_ids));
  if (UpdateMode()) {
    if (actual != c.expected) {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << c.request_text << kResponseMarker << "\n" << actual;
      ASSERT_TRUE(out.good()) << "cannot write " << file;
      std::cout << "updated " << file.string() << "\n";
    }
    return;
  }
  EXPECT_EQ(actual, c.expected) << "in " << file.string()
                                << " (LAKESHARE_UPDATE_GOLDEN=1 rewrites it; review the diff)";
}

INSTANTIATE_TEST_SUITE_P(Golden, SharingGoldenTest, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return CaseName(info.param);
                         });

// Every route of the API has a case, and every NDJSON endpoint one in each
// response format.
TEST(SharingGoldenCoverageTest, EveryRouteHasACase) {
  std::set<std::string> covered;
  std::set<std::string> formats;
  for (const fs::path& file : CaseFiles()) {
    ASSERT_OK_AND_ASSIGN(GoldenCase c, ParseCase(ReadFile(file)));
    std::string path = c.request.path;
    std::string prefix = "/delta-sharing/";
    if (path.rfind(prefix, 0) != 0) continue;
    std::vector<std::string> segments;
    std::string rest = path.substr(prefix.size());
    size_t start = 0;
    while (start <= rest.size()) {
      size_t slash = rest.find('/', start);
      if (slash == std::string::npos) slash = rest.size();
      segments.push_back(rest.substr(start, slash - start));
      start = slash + 1;
    }
    std::optional<RouteMatch> match = MatchSharingRoute(segments);
    if (!match) continue;
    const SharingRoute* route = match->ForMethod(c.request.method);
    if (route == nullptr || c.expected.rfind("200\n", 0) != 0) continue;
    std::string key = std::string(route->method) + " " + std::string(route->pattern);
    covered.insert(key);
    if (c.expected.find("responseformat=parquet") != std::string::npos) {
      formats.insert(key + " parquet");
    }
    if (c.expected.find("responseformat=delta") != std::string::npos) {
      formats.insert(key + " delta");
    }
  }
  for (const SharingRoute& route : SharingRoutes()) {
    std::string key = std::string(route.method) + " " + std::string(route.pattern);
    EXPECT_TRUE(covered.count(key)) << "no successful golden case for " << key;
    bool ndjson = route.pattern.ends_with("/metadata") || route.pattern.ends_with("/query") ||
                  route.pattern.ends_with("/changes");
    if (!ndjson) continue;
    EXPECT_TRUE(formats.count(key + " parquet")) << "no parquet-format case for " << key;
    EXPECT_TRUE(formats.count(key + " delta")) << "no delta-format case for " << key;
  }
}

}  // namespace
}  // namespace lakeshare
