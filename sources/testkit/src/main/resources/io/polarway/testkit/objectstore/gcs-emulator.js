// Starts the Cloud Storage emulator of firebase-tools directly, without `firebase emulators:start` (which downloads
// a rules jar from Google and aborts offline). The JSON API the Java client uses goes through the emulator's admin
// storage layer, so no rules runtime is needed.
//
// One addition in front of the stock routes: intermediate chunks of a resumable upload ("Content-Range: bytes a-b/*")
// are appended and answered 308, as GCS does; the stock handler finalises an upload after its first chunk and caps
// bodies at 130 MB, which makes objects above that impossible to seed. The last chunk goes to the stock handler.
//
// usage: node gcs-emulator.js FIREBASE_TOOLS_INSTALL_DIR PORT PROJECT_ID
const path = require('path');
const [root, portText, projectId] = process.argv.slice(2);
const port = Number(portText);
const lib = path.join(root, 'node_modules', 'firebase-tools', 'lib', 'emulator');
const express = require(path.join(root, 'node_modules', 'express'));
const { StorageEmulator } = require(path.join(lib, 'storage', 'index.js'));
const { createApp } = require(path.join(lib, 'storage', 'server.js'));
const { EmulatorRegistry } = require(path.join(lib, 'registry.js'));

function chunkedUploads(emulator) {
  return (req, res, next) => {
    const range = req.header('content-range') || '';
    if (!req.query.upload_id || !/\/\*\s*$/.test(range)) return next();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => res.sendStatus(400));
    req.on('end', () => {
      try {
        const upload = emulator.uploadService.continueResumableUpload(String(req.query.upload_id), Buffer.concat(chunks));
        if (upload.size > 0) res.set('Range', 'bytes=0-' + (upload.size - 1));
        res.status(308).end();
      } catch (e) {
        res.sendStatus(404);
      }
    });
  };
}

(async () => {
  const emulator = new StorageEmulator({ projectId, port, host: '127.0.0.1', auto_download: false });
  emulator.start = async function () {
    const inner = await createApp(projectId, emulator);
    const outer = express();
    outer.put('/upload/storage/v1/b/:bucketId/o', chunkedUploads(emulator));
    outer.use(inner);
    const server = outer.listen(port, '127.0.0.1');
    this.destroyServer = () => new Promise((resolve) => server.close(resolve));
  };
  await EmulatorRegistry.start(emulator);
  console.log('polarway gcs emulator ready on 127.0.0.1:' + port);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
