// Assertions on Status and Result<T> for GoogleTest:
//
//   ASSERT_OK(DoIt());                        // fails with the Status's text
//   EXPECT_OK(result) << "while loading " << name;
//   ASSERT_OK_AND_ASSIGN(auto table, Open(path));
//   EXPECT_THAT(Open(bad), StatusIs(StatusCode::kNotFound));
//   EXPECT_THAT(Open(bad), StatusIs(StatusCode::kNotFound, HasSubstr("missing")));
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <utility>

#include "common/status.h"

namespace lakeshare {

// So that failure messages show a Result's status (or that it holds a value).
template <typename T>
void PrintTo(const Result<T>& r, std::ostream* os) {
  if (r.ok()) {
    *os << "OK (a value)";
  } else {
    *os << r.status();
  }
}

namespace testing {

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const Status& st = ::lakeshare::internal::ToStatus(arg);
  if (!st.ok()) *result_listener << st;
  return st.ok();
}

// A non-OK Status (or Result) with `code` and, optionally, a message that
// matches `message_matcher`.
MATCHER_P(StatusIs, code,
          std::string(negation ? "has no" : "has") + " status code " +
              std::string(::lakeshare::StatusCodeName(code))) {
  const Status& st = ::lakeshare::internal::ToStatus(arg);
  *result_listener << st;
  return st.code() == code;
}
MATCHER_P2(StatusIs, code, message_matcher,
           std::string(negation ? "has no" : "has") + " status code " +
               std::string(::lakeshare::StatusCodeName(code)) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher, negation)) {
  const Status& st = ::lakeshare::internal::ToStatus(arg);
  *result_listener << st;
  return st.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, st.message(), result_listener);
}

}  // namespace testing
}  // namespace lakeshare

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::lakeshare::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::lakeshare::testing::IsOk())

#define LS_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  ASSERT_TRUE(tmp.ok()) << tmp.status();              \
  lhs = std::move(tmp).value()

// Declares/assigns `lhs` from the value of a Result, or fails the test with
// its Status.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  LS_ASSERT_OK_AND_ASSIGN_IMPL(LS_CONCAT(_ls_assert_result_, __LINE__), lhs, rexpr)
