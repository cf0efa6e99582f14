import QRCode from 'qrcode';
import { deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const QUIET_ZONE_MODULES = 4;

/**
 * A real QR PNG for a PIX payload, as the gateways return it. The matrix comes from qrcode; the PNG
 * (8-bit grayscale) is written here because qrcode's own PNG encoder takes ~250 ms per image under jest,
 * which every PIX charge in every suite would pay.
 */
export function qrCodePng(payload: string, options: { targetWidth?: number; scale?: number } = {}): Buffer {
  const { size, data } = QRCode.create(payload, { errorCorrectionLevel: 'M' }).modules;
  const modulesWide = size + 2 * QUIET_ZONE_MODULES;
  const scale = options.scale ?? Math.max(1, Math.floor((options.targetWidth ?? 200) / modulesWide));
  const side = modulesWide * scale;
  const rows: Buffer[] = [];
  for (let y = 0; y < side; y++) {
    const row = Buffer.alloc(side + 1, 0xff);
    row[0] = 0; // filter: none
    const moduleY = Math.floor(y / scale) - QUIET_ZONE_MODULES;
    for (let x = 0; x < side; x++) {
      const moduleX = Math.floor(x / scale) - QUIET_ZONE_MODULES;
      const inside = moduleX >= 0 && moduleY >= 0 && moduleX < size && moduleY < size;
      if (inside && data[moduleY * size + moduleX]) row[x + 1] = 0;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, no filter, no interlace
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const CRC32_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
