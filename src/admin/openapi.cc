// The OpenAPI 3 description of the admin API, written by hand.
#include "admin/admin_service.h"

namespace lakeshare {

namespace {

constexpr std::string_view kOpenApi = R"JSON({
  "openapi": "3.0.3",
  "info": {"title": "lakeshare admin API", "version": "1"},
  "components": {
    "securitySchemes": {"session": {"type": "http", "scheme": "bearer", "description": "A session token from POST /api/v1/login. Sessions are kept in the catalog database (as a hash), so every server on one database accepts them and a logout, a deleted user or a changed role ends them on all servers at once. A 5xx (not a 401) means the database could not be asked."}},
    "schemas": {
      "Error": {"type": "object", "properties": {"errorCode": {"type": "string"}, "message": {"type": "string"}}},
      "Profile": {"type": "object", "properties": {"shareCredentialsVersion": {"type": "integer"}, "endpoint": {"type": "string"}, "bearerToken": {"type": "string"}, "expirationTime": {"type": "string", "format": "date-time"}}},
      "Share": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "displayName": {"type": "string"}, "comment": {"type": "string"}, "createdAt": {"type": "integer"}, "updatedAt": {"type": "integer"}, "version": {"type": "integer"}}},
      "Schema": {"type": "object", "properties": {"id": {"type": "string"}, "share": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}}},
      "Table": {"type": "object", "properties": {"id": {"type": "string"}, "share": {"type": "string"}, "schema": {"type": "string"}, "name": {"type": "string"}, "location": {"type": "string"}, "format": {"type": "string"}, "historyShared": {"type": "boolean"}, "startVersion": {"type": "integer"}, "partitionFilter": {"type": "string", "description": "Partitions the share exposes: a list of clauses joined by AND (col = 'text' | col = 12 | col IN ('a', 'b') | col IS [NOT] NULL), or the protocol's JSON predicate tree (as text, or as an object in requests). Validated on write (400); every column must be a partition column of the table. SQL semantics: a file is served only when the filter is TRUE for its partition values. \"\" removes the filter."}, "comment": {"type": "string"}, "version": {"type": "integer"}}},
      "Recipient": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "comment": {"type": "string"}, "ipAllowlist": {"type": "array", "items": {"type": "string"}}, "allShares": {"type": "boolean"}, "version": {"type": "integer"}}},
      "Token": {"type": "object", "properties": {"id": {"type": "string"}, "recipient": {"type": "string"}, "createdAt": {"type": "integer"}, "expirationTime": {"type": "string"}, "revokedAt": {"type": "integer"}, "revoked": {"type": "boolean"}, "live": {"type": "boolean"}, "origin": {"type": "string"}}},
      "User": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "viewer"]}, "version": {"type": "integer"}}},
      "AuditEntry": {"type": "object", "properties": {"id": {"type": "integer"}, "time": {"type": "integer"}, "actorKind": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"}, "object": {"type": "string"}, "outcome": {"type": "string", "enum": ["ok", "denied", "error", "aborted"]}, "detail": {"type": "string", "description": "status code and error, for sharing requests"}, "numFiles": {"type": "integer", "description": "file lines sent (sharing queries and changes)"}, "remoteAddress": {"type": "string"}, "requestId": {"type": "string"}}}
    },
    "responses": {
      "Error": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "security": [{"session": []}],
  "paths": {
    "/api/v1/login": {"post": {"summary": "Start a session", "security": [], "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}}, "responses": {"200": {"description": "session: token, expiresAt (epoch ms; fixed at login, use does not extend it), role, username"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"description": "too many failed logins of this name or from this address: wait Retry-After seconds (even the right password is refused until then)", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
    "/api/v1/logout": {"post": {"summary": "End the session (on every server)", "responses": {"204": {"description": "ended"}}}},
    "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3"}}}},
    "/api/v1/shares": {
      "get": {"summary": "List shares", "responses": {"200": {"description": "items: Share[]"}}},
      "post": {"summary": "Create a share (name, displayName, comment, id)", "responses": {"201": {"description": "Share"}, "400": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/shares/{share}": {
      "parameters": [{"name": "share", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "Get a share", "responses": {"200": {"description": "Share"}, "404": {"$ref": "#/components/responses/Error"}}},
      "patch": {"summary": "Update a share (name, displayName, comment; version or If-Match)", "responses": {"200": {"description": "Share"}}},
      "delete": {"summary": "Delete a share", "responses": {"204": {"description": "deleted"}}}},
    "/api/v1/shares/{share}/schemas": {
      "parameters": [{"name": "share", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "List schemas", "responses": {"200": {"description": "items: Schema[]"}}},
      "post": {"summary": "Create a schema (name)", "responses": {"201": {"description": "Schema"}}}},
    "/api/v1/shares/{share}/schemas/{schema}": {
      "parameters": [{"name": "share", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "schema", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "Get a schema", "responses": {"200": {"description": "Schema"}}},
      "patch": {"summary": "Rename a schema (name)", "responses": {"200": {"description": "Schema"}}},
      "delete": {"summary": "Delete a schema and its tables", "responses": {"204": {"description": "deleted"}}}},
    "/api/v1/shares/{share}/schemas/{schema}/tables": {
      "parameters": [{"name": "share", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "schema", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "List tables", "responses": {"200": {"description": "items: Table[]"}}},
      "post": {"summary": "Add a table (name, location, format, historyShared, startVersion, partitionFilter, comment)", "responses": {"201": {"description": "Table"}}}},
    "/api/v1/shares/{share}/schemas/{schema}/tables/{table}": {
      "parameters": [{"name": "share", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "schema", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "table", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "Get a table", "responses": {"200": {"description": "Table"}}},
      "patch": {"summary": "Update a table", "responses": {"200": {"description": "Table"}}},
      "delete": {"summary": "Remove a table", "responses": {"204": {"description": "removed"}}}},
    "/api/v1/recipients": {
      "get": {"summary": "List recipients", "responses": {"200": {"description": "items: Recipient[]"}}},
      "post": {"summary": "Create a recipient (name, comment, ipAllowlist, allShares)", "responses": {"201": {"description": "Recipient"}}}},
    "/api/v1/recipients/{recipient}": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "Get a recipient", "responses": {"200": {"description": "Recipient"}}},
      "patch": {"summary": "Update a recipient", "responses": {"200": {"description": "Recipient"}}},
      "delete": {"summary": "Delete a recipient", "responses": {"204": {"description": "deleted"}}}},
    "/api/v1/recipients/{recipient}/grants": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "List granted shares", "responses": {"200": {"description": "items: string[]"}}},
      "post": {"summary": "Grant a share (share)", "responses": {"204": {"description": "granted"}}}},
    "/api/v1/recipients/{recipient}/grants/{share}": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "share", "in": "path", "required": true, "schema": {"type": "string"}}],
      "put": {"summary": "Grant a share", "responses": {"204": {"description": "granted"}}},
      "delete": {"summary": "Revoke a grant", "responses": {"204": {"description": "revoked"}}}},
    "/api/v1/recipients/{recipient}/tokens": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "List tokens (never the secret)", "responses": {"200": {"description": "items: Token[]"}}},
      "post": {"summary": "Issue a token (expirationTime); returns the profile once", "responses": {"201": {"description": "Profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}}}}},
    "/api/v1/recipients/{recipient}/tokens/rotate": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}],
      "post": {"summary": "Issue a new token and retire the others (expirationTime, graceSeconds)", "responses": {"201": {"description": "Profile"}}}},
    "/api/v1/recipients/{recipient}/tokens/{id}": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "delete": {"summary": "Revoke a token", "responses": {"204": {"description": "revoked"}}}},
    "/api/v1/recipients/{recipient}/activation-links": {
      "parameters": [{"name": "recipient", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "List activation links", "responses": {"200": {"description": "items"}}},
      "post": {"summary": "Create a one-time activation link (expirationTime, tokenExpirationTime)", "responses": {"201": {"description": "url"}}}},
    "/api/v1/activate/{secret}": {
      "parameters": [{"name": "secret", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "Redeem an activation link: the profile, once", "security": [], "responses": {"200": {"description": "Profile"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
    "/api/v1/users": {
      "get": {"summary": "List admin users (admins only)", "responses": {"200": {"description": "items: User[]"}}},
      "post": {"summary": "Create a user (name, password, role)", "responses": {"201": {"description": "User"}}}},
    "/api/v1/users/{user}": {
      "parameters": [{"name": "user", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "Get a user", "responses": {"200": {"description": "User"}}},
      "patch": {"summary": "Change password and/or role", "description": "A new password ends the user's sessions except the caller's own; a new role ends all of them.", "responses": {"200": {"description": "User"}}},
      "delete": {"summary": "Delete a user (and end its sessions)", "responses": {"204": {"description": "deleted"}}}},
    "/api/v1/audit": {
      "get": {"summary": "Query the audit log, newest first",
        "parameters": [{"name": "actor", "in": "query", "schema": {"type": "string"}}, {"name": "actorKind", "in": "query", "schema": {"type": "string"}}, {"name": "action", "in": "query", "schema": {"type": "string"}}, {"name": "object", "in": "query", "schema": {"type": "string"}}, {"name": "outcome", "in": "query", "schema": {"type": "string"}}, {"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}}, {"name": "pageToken", "in": "query", "schema": {"type": "string"}}, {"name": "maxResults", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "items: AuditEntry[], nextPageToken"}}}}
  }
})JSON";

}  // namespace

std::string_view AdminOpenApiJson() { return kOpenApi; }

}  // namespace lakeshare
