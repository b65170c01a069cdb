// Random (version 4) UUIDs for catalog object ids.
#pragma once

#include <string>

namespace lakeshare::db {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lowercase, from the CSPRNG.
std::string NewUuid();

}  // namespace lakeshare::db
