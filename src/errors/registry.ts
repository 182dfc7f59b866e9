/**
 * The one registry of the hub's error codes.
 *
 * Every error a person or a machine can see has a stable code `HUB_ERR_<AREA>_<WHAT>`, a message
 * template (`{name}` placeholders), the HTTP status an API answers with, and a class saying who must
 * act:
 * - `config`: an operator fixes a configuration or mapping file; retrying changes nothing.
 * - `transient`: a peer or service is unavailable; retried with backoff.
 * - `record`: this one record is bad; it is quarantined with a pointer to its source and the batch goes on.
 * - `system`: a bug in the hub; report it.
 *
 * `docs/errors.md` is generated from this table (`npm run gen:docs`) and a test keeps the two in step.
 */
import { excerpt, MESSAGE_MAX_CHARS, PARAM_EXCERPT_CHARS, VALUE_EXCERPT_CHARS } from './excerpt.ts';

export type ErrorClass = 'config' | 'transient' | 'record' | 'system';

export interface ErrorSpec {
  readonly class: ErrorClass;
  readonly status: number;
  readonly message: string;
  /** What to do about it, written for the operator who reads the message. */
  readonly fix: string;
}

export const ERRORS = {
  // --- mapping files (config) -------------------------------------------------------------------
  HUB_ERR_MAPPING_YAML: {
    class: 'config',
    status: 400,
    message: 'The file is not valid YAML: {reason}',
    fix: 'Correct the YAML syntax at the line and column given (indentation, an unclosed quote, a tab instead of spaces). A file of more than 4 MiB, nesting more than 100 levels, with more than 10,000 entries in one mapping or list, or whose aliases repeat anchored values more than 100 times, is refused unread: check it is the file meant. A UTF-16 file, one in another encoding (Windows-1252: the first byte that is not UTF-8 is located), or one holding a NUL byte (not a text file), is refused unread too: save it as UTF-8 (iconv -f windows-1252 -t utf-8 old.yaml > new.yaml).',
  },
  HUB_ERR_MAPPING_SCHEMA: {
    class: 'config',
    status: 400,
    message: '{pointer} {reason}',
    fix: 'Change the value at the pointer so it matches schemas/mapping.schema.json; docs/mapping-language.md describes every key.',
  },
  HUB_ERR_MAPPING_UNKNOWN_FIELD: {
    class: 'config',
    status: 400,
    message: '{type} has no field "{field}"',
    fix: 'Name a field the record type has (schemas/canonical/<type>.schema.json); the hint suggests the closest name. Every row would otherwise fail the canonical schema at map time.',
  },
  HUB_ERR_MAPPING_UNKNOWN_OP: {
    class: 'config',
    status: 400,
    message: 'Unknown operation "{op}"{hint}',
    fix: 'Use one of the named operations listed in docs/mapping-language.md; a typo usually has a suggestion in the message.',
  },
  HUB_ERR_MAPPING_INVALID: {
    class: 'config',
    status: 400,
    message: '{reason}',
    fix: 'Correct the mapping as the message says: it compiles only when every reference (namespace prefix, code table, record type, field) resolves.',
  },
  HUB_ERR_MAPPING_NOT_FOUND: {
    class: 'config',
    status: 404,
    message: 'No mapping "{mapping}" (looked in {where})',
    fix: 'Check the mapping id or path; `cgic validate` lists the mappings it found.',
  },
  HUB_ERR_MAPPING_RETIRED: {
    class: 'config',
    status: 410,
    message: 'Mapping "{mapping}" is retired: {reason}. Use "{replacement}" instead',
    fix: 'Change the connector\'s `mapping:` to the replacement named in the message; docs/migrations.md says what changes in the records (keys, codes, actions) and how to move a feed.',
  },
  // --- source files (record or config) ----------------------------------------------------------
  HUB_ERR_SOURCE_CSV: {
    class: 'record',
    status: 422,
    message: 'Malformed CSV: {reason}',
    fix: 'Fix the row in the export (an unclosed quote, a wrong number of columns), or set the mapping\'s csv options (delimiter, quote, relaxColumnCount) to match the export.',
  },
  HUB_ERR_SOURCE_HEADER: {
    class: 'config',
    status: 422,
    message: 'The header (line {line}, {fields}) has no column named {column}; the mapping reads the columns {expected}',
    fix: 'If that line holds data rather than column names, the export was made without its header row: ask the sender for an export with the header (or fix source.csv.headerRow if the header is further down). Otherwise the layout changed or the mapping names the column differently: add the new name as an alternate in the mapping\'s `from` list. The message never quotes the line itself: open the file to see it.',
  },
  HUB_ERR_SOURCE_HEADER_DUPLICATE: {
    class: 'config',
    status: 422,
    message: 'The header (line {line}) names column {column} {count} times (fields {positions})',
    fix: 'When the mapping reads that column, the file is refused: which of the fields holds the value cannot be known. Ask the sender to give each column its own name. A duplicated column the mapping does not read is only a warning.',
  },
  HUB_ERR_SOURCE_LIMIT_CSV_HEADER: {
    class: 'config',
    status: 422,
    message: 'The header (line {line}) is longer than limits.csv.{limit} ({bytes} bytes)',
    fix: 'A header this long is not a header: the file is most likely not CSV, or has no line breaks. Check the file; raise limits.csv.maxLineBytes / maxFieldBytes in the hub configuration only if such headers are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_CSV_LINE: {
    class: 'record',
    status: 422,
    message: 'The row is longer than limits.csv.maxLineBytes ({limit} bytes): it is not read; the rows after it are',
    fix: 'Check the row in the file: an unclosed quote makes every following line part of one row. Quarantine keeps its first characters. Raise limits.csv.maxLineBytes only if rows this long are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_CSV_FIELD: {
    class: 'record',
    status: 422,
    message: 'Field {field} is longer than limits.csv.maxFieldBytes ({limit} bytes): the row is not read; the rows after it are',
    fix: 'Check the field in the file (an unclosed quote, binary content). Raise limits.csv.maxFieldBytes only if fields this long are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_XML: {
    class: 'record',
    status: 422,
    message: 'Malformed XML: {reason}',
    fix: 'The export is not well-formed XML at the line given; records before it were read. Ask the sender for a corrected file.',
  },
  HUB_ERR_SOURCE_XML_DECLARATION: {
    class: 'record',
    status: 422,
    message: 'The XML declaration is at line {line}, column {column}, after comments or white space: nothing may come before <?xml ...?>, so the file is not well-formed XML',
    fix: 'Ask the sender to put the XML declaration first (a licence notice belongs after it). To accept such files as they are, set `source.xml.leadingComments: allow` in the mapping: comments and white space before the declaration are then skipped, and nothing else is changed.',
  },
  HUB_ERR_SOURCE_XML_ENCODING: {
    class: 'record',
    status: 422,
    message: 'The document declares encoding "{encoding}" (line {line}), which the hub cannot decode: the document is not read',
    fix: 'Set the mapping\'s source.encoding to the encoding the file really is (`file -i` names it): a stated source.encoding wins over the declaration. Or ask the sender to export as UTF-8.',
  },
  HUB_ERR_SOURCE_XML_ENCODING_IGNORED: {
    class: 'record',
    status: 422,
    message: 'The document declares encoding "{declared}" (line {line}) but is read as {used}: {reason}',
    fix: 'The declaration cannot be true of the document\'s bytes: ask the sender to correct it. If the text reads wrong, set the mapping\'s source.encoding to what the file really is (`file -i` names it).',
  },
  HUB_ERR_SOURCE_XML_DOCTYPE: {
    class: 'record',
    status: 422,
    message: 'The document has a DOCTYPE declaration (line {line}): DTDs and entity declarations are refused; the rest of the document is not read',
    fix: 'Ask the sender to export without a DOCTYPE. The hub never reads a DTD, never expands a declared entity and never fetches an external one (docs/hostile-input.md); records before the declaration, if any, were read.',
  },
  HUB_ERR_SOURCE_LIMIT_XML_DEPTH: {
    class: 'record',
    status: 422,
    message: 'Elements are nested deeper than limits.xml.maxDepth ({limit}) at line {line}: the rest of the document is not read',
    fix: 'No real export nests this deep: the file is broken or hostile; records before the line given were read. Raise limits.xml.maxDepth in the hub configuration only if a real format needs it (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES: {
    class: 'record',
    status: 422,
    message: 'An element has more attributes than limits.xml.maxAttributes ({limit}) at line {line}: the rest of the document is not read',
    fix: 'No real export puts that many attributes (namespace declarations included) on one element: the file is broken or hostile; records before the line given were read. Raise limits.xml.maxAttributes in the hub configuration only if a real format needs it (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_XML_RECORD: {
    class: 'record',
    status: 422,
    message: 'The record is larger than limits.xml.{limit} ({max}): {outcome}',
    fix: 'Check the record at the line given (a runaway element, a file that is not the expected export). Quarantine keeps its first characters. Raise limits.xml.maxRecordBytes or maxRecordElements only if records this large are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_JSON: {
    class: 'record',
    status: 422,
    message: 'Malformed JSON: {reason}',
    fix: 'The document or NDJSON line is not valid JSON; correct it at the position given.',
  },
  HUB_ERR_SOURCE_ENCODING: {
    class: 'config',
    status: 400,
    message: 'Unknown text encoding "{encoding}"',
    fix: 'Use an encoding name iconv-lite knows, e.g. utf-8, windows-1252, latin1, utf-16le.',
  },
  HUB_ERR_SOURCE_FILE_NAME: {
    class: 'config',
    status: 422,
    message: '{connector}: the file name {name} cannot be used: {reason}',
    fix: 'Rename the file in the rejected folder to a UTF-8 name (at most 255 bytes) and drop it into the source folder again; ask the sender to name exports in UTF-8.',
  },
  HUB_ERR_SOURCE_FILE_CHANGED: {
    class: 'config',
    status: 409,
    message: '{connector}: {path} changed after it was claimed ({change}): the sender was still writing it',
    fix: 'The file had kept its size and time for stableMs, yet grew or changed after the hub claimed it. It is set aside in the rejected folder with its errors file, and nothing past the size it had when claimed was read; once the sender has finished writing it, move it back into the source folder. To prevent it, have the sender upload under a temporary name (.tmp, .part, .filepart or a dotfile) and rename the file when done, or raise stableMs above the longest pause in its writing.',
  },
  HUB_ERR_SOURCE_ENCODING_MISMATCH: {
    class: 'record',
    status: 422,
    message: 'The record holds {problem}: the file is probably not {encoding}',
    fix: 'Set the mapping\'s source.encoding to what the file really is (`file -i` names it; docs/mapping-language.md shows how to tell). Reported as a warning by default; with source.encodingErrors: refuse the record is quarantined instead.',
  },
  HUB_ERR_SOURCE_LIMIT_JSON_DEPTH: {
    class: 'record',
    status: 422,
    message: 'JSON nested deeper than limits.json.maxDepth ({limit}) at line {line} column {column}: not read',
    fix: 'No real record nests this deep: the document or line is broken or hostile. Raise limits.json.maxDepth in the hub configuration only if a real format needs it (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_JSON_DOCUMENT: {
    class: 'record',
    status: 422,
    message: 'The JSON document is larger than limits.json.maxDocumentBytes ({limit} bytes): not read',
    fix: 'Ask the sender for smaller documents (pages) or NDJSON, which is read line by line; raise limits.json.maxDocumentBytes only if documents this large are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_JSON_LINE: {
    class: 'record',
    status: 422,
    message: 'The NDJSON line is longer than limits.json.maxLineBytes ({limit} bytes): it is not read; the lines after it are',
    fix: 'Check the line in the file (a missing line break joins records). Quarantine keeps its first characters. Raise limits.json.maxLineBytes only if records this large are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_FIXED_LAYOUT: {
    class: 'config',
    status: 422,
    message: 'None of the first {lines} lines of the file is a segment the mapping\'s layout names ({known}): it is not a file of this layout, and nothing of it is read',
    fix: "Check what was sent: a file of another kind (a CSV or XML export, a report, a compressed file), or the right file in another encoding (UTF-16 read as single bytes has no segment code where the layout expects one). The file is set aside whole, so one wrong file does not fill the quarantine line by line; send the right one. If the layout is the wrong one, correct the mapping's source.fixedWidth.segment (or match).",
  },
  HUB_ERR_SOURCE_FIXED_SEGMENT: {
    class: 'record',
    status: 422,
    message: 'Line {line} cannot be placed in a record: {reason}',
    fix: "Compare the line with the sender's record layout and the mapping's source.fixedWidth. Quarantine keeps the line; the lines after it are read. A segment of an incident whose opening segment is missing comes right once the sender sends the whole incident again.",
  },
  HUB_ERR_SOURCE_LIMIT_FIXED_LINE: {
    class: 'record',
    status: 422,
    message: 'Line {line} is longer than limits.fixedWidth.maxLineBytes ({limit} bytes): its record is not read; the records after it are',
    fix: 'Check the line in the file (missing line breaks join segments). Quarantine keeps its first characters. Raise limits.fixedWidth.maxLineBytes only if segments this long are real (docs/hostile-input.md).',
  },
  HUB_ERR_SOURCE_LIMIT_FIXED_RECORD: {
    class: 'record',
    status: 422,
    message: 'The record opened at line {line} is larger than limits.fixedWidth.{limitName} ({limit}): it is not read; the records after it are',
    fix: 'Check the file around that line (an opening segment missing for many records in a row). Quarantine keeps its first lines. Raise limits.fixedWidth.maxRecordLines or maxRecordBytes only if records this large are real (docs/hostile-input.md).',
  },
  // --- record values (record: quarantined, the batch goes on) ------------------------------------
  HUB_ERR_RECORD_REQUIRED: {
    class: 'record',
    status: 422,
    message: 'Required field {field} is empty',
    fix: 'The source left a required value blank: correct the source row, or give the field a `default` in the mapping if a default is right.',
  },
  HUB_ERR_RECORD_DATE: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" matches none of the date formats {formats}',
    fix: 'Correct the value in the source, or add its format to the date operation\'s `formats` list.',
  },
  HUB_ERR_RECORD_NUMBER: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is not a {kind}',
    fix: 'Correct the value in the source; if it carries units or text, extract the number first with regexExtract.',
  },
  HUB_ERR_RECORD_BOOLEAN: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is neither a true nor a false value ({accepted})',
    fix: 'Correct the value, or list its spelling under the boolean operation\'s `true` or `false` values.',
  },
  HUB_ERR_RECORD_ENUM: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is not one of the mapped values ({accepted})',
    fix: 'Add the value to the `map` operation\'s `values`, or give the operation a `default`.',
  },
  HUB_ERR_RECORD_PATTERN: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" does not match /{pattern}/',
    fix: 'Correct the value, or loosen the regexExtract pattern (or set required: false on the field).',
  },
  HUB_ERR_RECORD_NUMBER_PRECISION: {
    class: 'record',
    status: 422,
    message: '{field}: the source gives a whole number beyond 9007199254740991 as a JSON number, whose last digits no JSON reader keeps',
    fix: 'Ask the sender to write such values (case numbers, identifiers) as JSON strings ("240000000000000417"). The number is refused rather than stored with other digits than the sender wrote.',
  },
  HUB_ERR_RECORD_NOT_TEXT: {
    class: 'record',
    status: 422,
    message: '{field}: the source gives {kind} where the mapping reads text',
    fix: 'Point the field\'s `from` at the text inside the value (for example `caliber/text`), or correct the source. A value the field\'s operations cannot read is never stored as the source wrote it: it would bypass the code tables and the checks the operations make.',
  },
  HUB_ERR_CODE_UNKNOWN: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is not in code table {table}',
    fix: 'If the value is a real spelling, add it to the synonym table (mappings/code-tables/); if it is a typo, correct the source. The original text is kept either way.',
  },
  HUB_ERR_RECORD_SCHEMA: {
    class: 'record',
    status: 422,
    message: '{type} record fails the canonical schema at {pointer}: {reason}',
    fix: 'The mapping produced a value the canonical schema does not allow: correct the source value or the mapping operation that produced it.',
  },
  HUB_ERR_RECORD_KEY: {
    class: 'record',
    status: 422,
    message: '{type} record has no natural key: needs {needs}',
    fix: 'Map the fields that identify the record (see schemas/canonical/, "x-natural-key"), or correct the source row that left them blank.',
  },
  HUB_ERR_RECORD_ACTION: {
    class: 'record',
    status: 422,
    message: 'The source record asks for "{value}" (at {path}), which source.action.values does not list: one of {known}',
    fix: 'If the value is a real instruction of the source, add it to `source.action.values` in the mapping with the action it means (upsert, replace or delete); otherwise correct the source record.',
  },
  HUB_ERR_RECORD_AGENCY: {
    class: 'record',
    status: 422,
    message: '{type} record is of agency {ori}, not of the connector\'s agency {agency}',
    fix: 'A connector brings one agency\'s records: correct the agencyOri the mapping writes (it may read { context: agency.ori }), or the connector\'s agency; a feed that carries many agencies (a lab\'s) sets allowOtherAgencies: true on its connector.',
  },
  HUB_ERR_RECORD_EMPTY: {
    class: 'record',
    status: 422,
    message: '{field} is empty (warnIfEmpty): the record is kept without it',
    fix: 'A warning, not an error: the record is stored. Ask the sender to fill the value (an empty serial on a recovered gun), or drop warnIfEmpty from the field if an empty value is normal.',
  },
  HUB_ERR_RECORD_SOURCE_ID: {
    class: 'record',
    status: 422,
    message: 'The source record asks for {action} but has no id at {path}',
    fix: 'A replace or delete names the source record it replaces or withdraws by its id (source.recordId): correct the source record, or the recordId path in the mapping if it points at the wrong element.',
  },
  HUB_ERR_RECORD_SOURCE_AGENCY: {
    class: 'record',
    status: 422,
    message: 'The source record asks for {action} as agency {ori} (at {path}), not as the connector\'s agency {agency}',
    fix: 'A connector brings one agency\'s records, and a replace or delete of another agency\'s report would withdraw what the connector\'s own agency published under the same id: send the report to its own agency\'s connector, or correct the connector\'s agency; a feed that carries many agencies sets allowOtherAgencies: true on its connector.',
  },
  HUB_ERR_RECORD_UNSTORABLE_CHARACTER: {
    class: 'record',
    status: 422,
    message: '{field}: the value contains {character}, which the store cannot hold',
    fix: 'The export carries a NUL byte or a broken UTF-16 character, often from a file cut short, or written as UTF-16 while the mapping reads it as an 8-bit encoding: correct the row in the source, or set the mapping\'s source.encoding to the file\'s real encoding.',
  },
  // --- hub configuration (config) ----------------------------------------------------------------
  HUB_ERR_CONFIG_YAML: {
    class: 'config',
    status: 400,
    message: 'The configuration is not valid YAML: {reason}',
    fix: 'Correct the YAML syntax at the line and column given. A file of more than 4 MiB, nesting more than 100 levels, with more than 10,000 entries in one mapping or list, or whose aliases repeat anchored values more than 100 times, is refused unread: check it is the file meant. A UTF-16 file, one in another encoding (Windows-1252: the first byte that is not UTF-8 is located), or one holding a NUL byte (not a text file), is refused unread too: save it as UTF-8 (iconv -f windows-1252 -t utf-8 old.yaml > new.yaml).',
  },
  HUB_ERR_CONFIG_SCHEMA: {
    class: 'config',
    status: 400,
    message: '{pointer} {reason}',
    fix: 'Change the value so it matches schemas/config.schema.json; docs/configuration.md describes every key.',
  },
  HUB_ERR_CONFIG_INVALID: {
    class: 'config',
    status: 400,
    message: '{reason}',
    fix: 'Correct the reference the message names: an unknown agency or mapping, a bad cron expression, an inline secret, invalid connector options. The hub does not start until `cgic validate` passes.',
  },
  HUB_ERR_CONFIG_SECRET: {
    class: 'config',
    status: 500,
    message: 'Secret reference cannot be resolved: {reason}',
    fix: 'Set the environment variable or create the file the ${env:...} / ${file:...} reference names, readable by the hub.',
  },
  // --- runtime ----------------------------------------------------------------------------------
  HUB_ERR_SERVER_LISTEN: {
    class: 'config',
    status: 500,
    message: 'Cannot listen on {address} ({setting}): {reason}',
    fix: 'Another process holds the port (another hub process on this machine?): stop it or give this one another port (hub.api.port or `cgic start --port` for the API, hub.api.metricsPort for a worker or scheduler). Ports below 1024 need privileges; an address must be one of this machine\'s.',
  },
  HUB_ERR_REDIS_UNAVAILABLE: {
    class: 'transient',
    status: 503,
    message: 'Redis is not available: {reason}',
    fix: 'Set REDIS_URL to a Redis >= 6.2 (e.g. redis://127.0.0.1:6379), or install one: `apt-get install redis-server` (Debian/Ubuntu), `brew install redis` (macOS). Without REDIS_URL the hub uses 127.0.0.1:6379 or starts redis-server from PATH.',
  },
  HUB_ERR_NOT_FOUND: {
    class: 'config',
    status: 404,
    message: 'No {what} "{id}"',
    fix: 'Check the id: the list endpoints (GET /api/connectors, /api/dead-letters) show what exists.',
  },
  HUB_ERR_STATE_CONFLICT: {
    class: 'config',
    status: 409,
    message: '{reason}',
    fix: 'The request conflicts with the current state (e.g. the connector is already running, the dead letter was already replayed); check the state and retry if it still applies.',
  },
  HUB_ERR_AUTH_REQUIRED: {
    class: 'config',
    status: 401,
    message: '{reason}',
    fix: 'Send the API key as `Authorization: Bearer <key>`; webhooks must carry a valid signature and a fresh timestamp (connectors/webhook/README.md).',
  },
  HUB_ERR_AUTH_FORBIDDEN: {
    class: 'config',
    status: 403,
    message: '{reason}',
    fix: 'The API key is valid but its role does not allow this; ask the hub administrator for a key with the right role.',
  },
  HUB_ERR_REQUEST_INVALID: {
    class: 'config',
    status: 400,
    message: '{reason}',
    fix: 'The HTTP request does not match the route\'s schema (see /docs): correct the parameters, query or body as the message says.',
  },
  HUB_ERR_REQUEST_TOO_LARGE: {
    class: 'config',
    status: 413,
    message: 'The request body is larger than the {limit} bytes ({size}) this API takes; it was not read',
    fix: 'Send less in one request: page through a long list, or split what you send. A file for a connector has its own limit (HUB_ERR_CONNECTOR_FILE_TOO_LARGE) and a webhook its connector\'s maxBytes.',
  },
  HUB_ERR_AUTH_KEY_EXPIRED: {
    class: 'config',
    status: 401,
    message: 'The API key {keyId} expired at {expiresAt}',
    fix: 'Use the key that replaced it (keys of one client rotate: hub.api.keys[].client); the hub administrator issues a new key and lists it in hub.api.keys.',
  },
  HUB_ERR_AUTH_CLIENT_CERT: {
    class: 'config',
    status: 401,
    message: '{reason}',
    fix: 'Agency callers must present a client certificate signed by the CA in hub.api.tls.clientCa (hub.api.tls.requireClientCert); ask the hub administrator for one.',
  },
  HUB_ERR_AUTH_CSRF: {
    class: 'config',
    status: 403,
    message: '{reason}',
    fix: 'A request that changes something and is authenticated by the console\'s session cookie must carry the session\'s token in the X-CSRF-Token header (the console sends it; GET /api/me gives it as csrfToken) and come from the hub\'s own pages. Reload the console; scripts use an API key (Authorization: Bearer), which needs no token.',
  },
  HUB_ERR_AUTH_MFA_REQUIRED: {
    class: 'config',
    status: 403,
    message: 'The identity provider did not assert multi-factor authentication for {user}: {reason}',
    fix: 'CJIS requires multi-factor authentication for every user: sign in again with your second factor (a code, a key, a smart card). If the provider asked for none, its administrator must require it for this application or release the amr/acr claim the hub checks (hub.api.oidc.mfa, docs/console.md#signing-in).',
  },
  HUB_ERR_AUTH_OIDC: {
    class: 'transient',
    status: 502,
    message: 'Sign-in through the identity provider failed: {reason}',
    fix: 'Start the sign-in again from the console. If it keeps failing: check that the hub reaches hub.api.oidc.issuer, that clientId, clientSecret and redirectUrl match the client registered at the provider, and the hub log.',
  },
  HUB_ERR_AUTH_ROLE: {
    class: 'config',
    status: 403,
    message: 'The identity provider signed in {user}, but the hub cannot tell what they may see: {reason}',
    fix: 'The provider\'s administrator gives the user one role the hub knows in the configured claim (hub.api.oidc.claims.role, mapped by roleMap) and, for the agency role (or an agency\'s own auditor), the ORI of one configured agency in hub.api.oidc.claims.agency.',
  },
  HUB_ERR_AUTH_SESSION_ENDED: {
    class: 'config',
    status: 401,
    message: 'Your console session ended: {reason}',
    fix: 'Sign in again. Sessions lock after hub.api.sessions.idleMinutes without activity (30 by default, as CJIS asks) and end after hub.api.sessions.maxHours in any case, or when signed out.',
  },
  HUB_ERR_API_RATE_LIMITED: {
    class: 'transient',
    status: 429,
    message: 'Too many requests from {who}: at most {max} per {window}; retry in {retryAfter} s',
    fix: 'Wait the Retry-After seconds before the next request, page with larger limits instead of many small requests, or ask the hub administrator to raise the key\'s limit (hub.api.rateLimit).',
  },
  HUB_ERR_AUDIT_UNAVAILABLE: {
    class: 'transient',
    status: 503,
    message: 'The audit trail cannot be written, so the request is refused: {reason}',
    fix: 'Every read and action must be recorded before it is answered. Check that the database is reachable and the audit_log table writable (hub log, /readyz); the request succeeds again once entries can be written.',
  },
  HUB_ERR_AUDIT_BROKEN: {
    class: 'system',
    status: 500,
    message: 'The audit trail does not verify at entry {position}: {problem}',
    fix: 'Someone changed the audit_log table outside the hub, or restored part of it. Keep the database as it is, compare the entries around this position with the copy shipped to your SIEM (cgic audit export), and report it to your CJIS security officer (docs/audit.md#when-verification-fails).',
  },
  HUB_ERR_AUDIT_KEY: {
    class: 'config',
    status: 500,
    message: 'The audit trail needs its signing key: {reason}',
    fix: 'Set hub.audit.signingKey to a ${file:...} or ${env:...} reference to a secret of at least 32 characters (`openssl rand -hex 32`); checkpoints and pruning are signed with it and verification checks them (docs/audit.md#retention-and-checkpoints).',
  },
  HUB_ERR_SERVER_TLS: {
    class: 'config',
    status: 500,
    message: 'TLS of the API cannot be set up from {file}: {reason}',
    fix: 'hub.api.tls.cert and key must name readable PEM files that belong together (key matching the certificate); clientCa a PEM CA certificate. Paths are relative to the configuration file.',
  },
  // --- command line -----------------------------------------------------------------------------
  HUB_ERR_CLI_USAGE: {
    class: 'config',
    status: 400,
    message: '{reason}',
    fix: 'Run `cgic help <command>` for the command\'s arguments.',
  },
  HUB_ERR_CLI_HUB_UNREACHABLE: {
    class: 'transient',
    status: 503,
    message: 'The running hub\'s API at {url} did not answer: {reason}',
    fix: 'Check that the hub runs (`cgic start`, `npm start`) and listens at that address; `--url` names another address. The address of a hub on this machine is in hub.json in its data folder (hub.dataDir), written while it runs.',
  },
  HUB_ERR_CLI_INPUT_FILE: {
    class: 'config',
    status: 404,
    message: 'Cannot read the input file {path}: {reason}',
    fix: 'Check the path (relative paths are resolved from the current directory) and that this user may read the file (`ls -l`). This is the data file the command was given to read (`cgic map <file>`), not a mapping or the configuration.',
  },
  HUB_ERR_FILE_NOT_FOUND: {
    class: 'config',
    status: 404,
    message: 'No such file: {path}',
    fix: 'Check the path; relative paths are resolved from the current directory.',
  },
  HUB_ERR_TEST_FAILED: {
    class: 'config',
    status: 422,
    message: 'Golden test {test} failed: {reason}',
    fix: 'Either the mapping changed behaviour (fix it) or the expectation is out of date (review the diff, then update the expected records).',
  },
  // --- store ---------------------------------------------------------------------------------------
  HUB_ERR_STORE_UNAVAILABLE: {
    class: 'transient',
    status: 503,
    message: 'The database {target} cannot be reached: {reason}',
    fix: 'Check that PostgreSQL is running and that DATABASE_URL (host, port, user, password, database) is right; for the embedded store, check that the data directory exists and is writable. Work is retried with backoff meanwhile.',
  },
  HUB_ERR_STORE_LOCKED: {
    class: 'config',
    status: 409,
    message: 'The embedded database {dataDir} is already open in process {pid} (lock file {lockFile})',
    fix: 'The embedded store (PGlite) serves one process. While the hub runs, ask it through its API: `cgic run`, `cgic transfers`, `cgic dead-letters` and `cgic reload` do so by themselves when the hub on this machine holds the store (or always with `--url http://host:8080 --key <admin key>`), as do POST /api/connectors/:id/run, GET /api/transfers and GET /api/dead-letters. Otherwise stop the other process, or set DATABASE_URL to a PostgreSQL server so several processes can share the store. If no such process runs, delete the lock file.',
  },
  HUB_ERR_STORE_OPTIONS: {
    class: 'config',
    status: 400,
    message: 'Store option {option}: {reason}',
    fix: 'Correct the store settings (DATABASE_URL, the data directory, the schema name: letters, digits and underscores, not starting with a digit).',
  },
  HUB_ERR_STORE_MIGRATION: {
    class: 'system',
    status: 500,
    message: 'Database migration {migration} failed: {reason}',
    fix: 'Nothing was applied: pending migrations run in one transaction. If the schema was altered by hand, undo that change (or restore a backup) and start the hub again; otherwise report it.',
  },
  HUB_ERR_STORE_MIGRATION_CHANGED: {
    class: 'config',
    status: 500,
    message: 'Migration {migration} was applied with checksum {applied}, but the file now has checksum {current}',
    fix: 'An applied migration must never be edited: restore the original file from version control and put the change in a new, higher-numbered migration.',
  },
  HUB_ERR_STORE_SCHEMA_NEWER: {
    class: 'config',
    status: 500,
    message: 'The database schema is at migration {applied}, newer than the newest this hub knows ({known})',
    fix: 'A newer version of the hub migrated this database: run that version (or a newer one), or restore the backup taken before the upgrade.',
  },
  HUB_ERR_STORE_CONFLICT: {
    class: 'transient',
    status: 503,
    message: 'Concurrent database update conflict ({sqlstate}): {reason}',
    fix: 'The store retries its own transactions; a caller holding a transaction retries the whole unit. If it persists, several workers keep updating the same records at once: check for two connectors reading the same source.',
  },
  HUB_ERR_STORE_QUERY: {
    class: 'system',
    status: 500,
    message: 'Database statement failed ({sqlstate}): {reason}',
    fix: 'A bug in the hub or a schema altered by hand: report it with the log lines around it.',
  },
  HUB_ERR_STORE_RECORD_INVALID: {
    class: 'system',
    status: 500,
    message: 'Record {index} of the chunk cannot be stored: {reason}',
    fix: 'Records reach the store only after canonical validation, so this is a bug in the stage that produced them: report it with the transfer id.',
  },
  HUB_ERR_STORE_NOT_FOUND: {
    class: 'config',
    status: 404,
    message: '{what} "{id}" does not exist',
    fix: 'Check the id: list transfers, deliveries or dead letters through the API or the CLI to find the right one.',
  },
  HUB_ERR_STORE_TX_MISUSE: {
    class: 'system',
    status: 500,
    message: 'A statement was sent to the embedded database outside the transaction running in the same call chain',
    fix: 'A bug in the hub: a store method called inside store.transaction() must be passed the transaction (tx); otherwise it would wait for that transaction forever.',
  },
  // --- connectors ---------------------------------------------------------------------------------
  HUB_ERR_CONNECTOR_OPTIONS: {
    class: 'config',
    status: 400,
    message: 'Options of connector {connector} ({kind}) are invalid: {reason}',
    fix: 'Correct the connector\'s options in the hub configuration: connectors/<kind>/README.md lists every option with its default and an example.',
  },
  HUB_ERR_CONNECTOR_UNAVAILABLE: {
    class: 'transient',
    status: 503,
    message: '{connector}: {target} cannot be reached: {reason}',
    fix: 'The peer (server, API, mounted folder) is down, unreachable or answered with a server error; the run is retried with backoff. If it persists, check the host, port, firewall, DNS and TLS settings, and that the peer is up.',
  },
  HUB_ERR_CONNECTOR_REJECTED: {
    class: 'config',
    status: 502,
    message: '{connector}: {target} refused the request with HTTP {status}: {reason}',
    fix: 'A 4xx answer is not retried: check the URL, the credentials (auth) and the parameters (cursorParam, pageSize) against the API\'s documentation; 401/403 mean the token or password is wrong or lacks permission.',
  },
  HUB_ERR_CONNECTOR_ACCESS: {
    class: 'config',
    status: 403,
    message: '{connector}: {operation} {path} is not permitted: {reason}',
    fix: 'Give the hub\'s user the permission it needs on the folder (read, write and rename in the source folder and its archive, rejected and processing folders; write in a destination folder), or correct the path.',
  },
  HUB_ERR_CONNECTOR_IO: {
    class: 'transient',
    status: 503,
    message: '{connector}: {operation} {path} failed: {reason}',
    fix: 'A file operation failed (disk full, network share or SFTP session lost, I/O error); it is retried with backoff. If it persists, check free space and the mount or server.',
  },
  HUB_ERR_CONNECTOR_UNIT_MISSING: {
    class: 'config',
    status: 409,
    message: '{connector}: unit {unit} is gone: {path} no longer exists',
    fix: 'The claimed file was moved away while it was being processed: either another hub process re-claimed it after reclaimAfterMs (set reclaimAfterMs above the longest transfer) or someone moved it by hand. Look for it in the processing, archive and rejected folders.',
  },
  HUB_ERR_CONNECTOR_RESPONSE_TOO_LARGE: {
    class: 'config',
    status: 502,
    message: '{connector}: the page from {target} is larger than maxPageBytes ({maxPageBytes} bytes)',
    fix: 'Lower pageSize so each page stays small, or raise maxPageBytes if pages this large are expected.',
  },
  HUB_ERR_CONNECTOR_WEBHOOK_SIGNATURE: {
    class: 'config',
    status: 401,
    message: 'Webhook {connector}: signature check failed ({reason})',
    fix: 'The sender must sign each request with the shared secret: header x-cgic-timestamp = Unix seconds, x-cgic-signature = sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">, sent within toleranceSeconds (check both clocks with NTP). connectors/webhook/README.md has an example.',
  },
  HUB_ERR_CONNECTOR_WEBHOOK_TOO_LARGE: {
    class: 'config',
    status: 413,
    message: 'Webhook {connector}: the body is larger than maxBytes ({maxBytes} bytes)',
    fix: 'Ask the sender to split the payload, or raise the connector\'s maxBytes if bodies this large are expected.',
  },
  HUB_ERR_CONNECTOR_FILE_TOO_LARGE: {
    class: 'config',
    status: 413,
    message: 'Connector {connector}: the file sent is larger than the {maxBytes} bytes ({size}) a file sent through the API may be; it was not written',
    fix: 'Put a file this large into the connector\'s drop folder directly (its options.path, over the share or SFTP), where the next run reads it like any other; or split the export into smaller files and send each.',
  },
  HUB_ERR_CONNECTOR_WEBHOOK_ENCODING: {
    class: 'config',
    status: 415,
    message: 'Webhook {connector}: the body is sent with Content-Encoding {encoding}; bodies are read as they are sent, not decompressed',
    fix: 'Send the body uncompressed, without a Content-Encoding header (the signature is over the bytes as sent). A compressed body would otherwise be read as text and fail on its first line.',
  },
  HUB_ERR_CONNECTOR_WEBHOOK_CHARSET: {
    class: 'config',
    status: 415,
    message: 'Webhook {connector}: the body is sent with charset {charset}, which the hub cannot decode',
    fix: 'Send the body in UTF-8 (charset=utf-8) or name its real charset (windows-1252, iso-8859-1, utf-16le...); a request without a charset is read as the mapping says (source.encoding, UTF-8 by default). Nothing was queued: send the request again.',
  },
  HUB_ERR_CONNECTOR_WEBHOOK_BACKLOG: {
    class: 'transient',
    status: 429,
    message: 'Webhook {connector}: {bodies} bodies ({bytes} bytes) are waiting to be processed, at or over the limit ({limit}); retry after {retryAfter} s',
    fix: 'The workers are behind: the sender should retry after the Retry-After seconds (nothing was queued). If it lasts, add worker processes or raise hub.transfers.concurrency; maxBacklog and maxBacklogBytes in the connector\'s options set the limits.',
  },
  HUB_ERR_CONNECTOR_WEBHOOK_UNAVAILABLE: {
    class: 'transient',
    status: 503,
    message: 'Webhook {connector}: the body cannot be taken now ({reason}); retry after {retryAfter} s',
    fix: 'Redis or the database did not answer within the request\'s time budget (or the same signed request is being received right now); nothing was queued. The sender should retry after the Retry-After seconds; check /readyz and the Redis and PostgreSQL services.',
  },
  HUB_ERR_DELIVERY_REJECTED: {
    class: 'config',
    status: 502,
    message: '{destination}: {target} rejected the delivery with HTTP {status}: {reason}',
    fix: 'The agency\'s endpoint refused the request (a 4xx other than 408 and 429) so it is not retried: fix the URL, credentials or the outbound mapping as the answer says, then replay the dead letter.',
  },
  HUB_ERR_DELIVERY_UNAVAILABLE: {
    class: 'transient',
    status: 503,
    message: '{destination}: {target} is unavailable: {reason}',
    fix: 'The endpoint or server is down, slow (timeout), throttling (429) or failing (5xx); delivery is retried with backoff, honouring Retry-After. If it lasts, call the agency; after the last attempt the delivery becomes a dead letter you can replay.',
  },
  HUB_ERR_DELIVERY_FILE_NAME: {
    class: 'config',
    status: 400,
    message: '{destination}: "{fileName}" is not a plain file name',
    fix: 'The outbound mapping\'s file name must be one path segment (no "/", "\\", "..", leading dot or control characters): correct the mapping\'s fileName template.',
  },
  HUB_ERR_DELIVERY_ACCESS: {
    class: 'config',
    status: 403,
    message: '{destination}: cannot write {path}: {reason}',
    fix: 'Give the hub\'s user write permission on the destination folder (and make sure it is not mounted read-only), then replay the dead letter.',
  },
  HUB_ERR_DELIVERY_WRITE: {
    class: 'transient',
    status: 503,
    message: '{destination}: writing {path} failed: {reason}',
    fix: 'The folder or server is missing, full or unreachable (an unmounted share, disk full, SFTP session lost); delivery is retried with backoff. Check the mount, free space and the server.',
  },
  // --- pipeline -----------------------------------------------------------------------------------
  HUB_ERR_PIPELINE_UNIT_FAILED: {
    class: 'system',
    status: 500,
    message: '{connector}: unit {unit} failed {attempts} time(s) with an unexpected error ({reason}); it was set aside with a dead letter',
    fix: 'An input the hub could not handle, or a bug. The unit (file or webhook body) is in the rejected folder (webhooks: the rejected spool) with its errors, and has a quarantine entry and a dead letter; other units were not held up. Report the error; once fixed or once the input is corrected, replay the dead letter (cgic dead-letters replay <id>, or POST /api/dead-letters/<id>/replay).',
  },
  // --- internal ---------------------------------------------------------------------------------
  HUB_ERR_SYSTEM_INTERNAL: {
    class: 'system',
    status: 500,
    message: 'Internal error: {reason}',
    fix: 'This is a bug in the hub. Report it with the log lines around it; the record or job is kept for replay.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Fill `{name}` placeholders of a code's message template. Every message is bounded, whatever its
 * parameters: a source value (`{value}`) is quoted up to VALUE_EXCERPT_CHARS characters, any other
 * parameter up to PARAM_EXCERPT_CHARS, the message up to MESSAGE_MAX_CHARS (src/errors/excerpt.ts).
 */
export function formatMessage(code: ErrorCode, params: Record<string, unknown> = {}): string {
  const message = ERRORS[code].message.replace(/\{(\w+)\}/g, (_, name: string) =>
    params[name] === undefined ? `{${name}}` : excerpt(String(params[name]), name === 'value' ? VALUE_EXCERPT_CHARS : PARAM_EXCERPT_CHARS),
  );
  return excerpt(message, MESSAGE_MAX_CHARS);
}
