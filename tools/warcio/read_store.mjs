// Reads every WARC record of an alcor store's raw archive with warcio (a WARC reader alcor did
// not write) and prints one JSON line per record: the file (store-relative), the member's offset,
// WARC-Type, WARC-Target-URI, WARC-Record-ID, WARC-Payload-Digest, the HTTP status of a response,
// and the SHA-256 of the payload as warcio read it. Exit 1 when a file does not read.
//   node tools/warcio/read_store.mjs STORE_DIR
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { WARCParser } from "warcio";

const store = process.argv[2];
if (!store) {
  console.error("usage: node read_store.mjs STORE_DIR");
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(store, "manifest.json"), "utf8"));
for (const file of manifest.raw ?? []) {
  const parser = new WARCParser(createReadStream(join(store, file.path)));
  for await (const record of parser) {
    const payload = await record.readFully(true);
    const line = {
      file: file.path,
      offset: parser.offset,
      type: record.warcType,
      uri: record.warcTargetURI,
      record_id: record.warcHeader("WARC-Record-ID"),
      payload_digest: record.warcPayloadDigest,
      http_status: record.httpHeaders ? Number(record.httpHeaders.statusCode) : 0,
      payload_sha256: createHash("sha256").update(payload).digest("hex"),
    };
    process.stdout.write(JSON.stringify(line) + "\n");
  }
}
