#!/usr/bin/env node
// Draws the app icon (a yellow cattle ear tag on a green tile) as PNGs without any image library:
// icon.png (512×512, electron-builder derives the Windows .ico, macOS .icns and Linux sizes from it) and
// tray-icon.png (32×32). icon.svg is the same drawing for documents and the web. Run: node resources/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const GREEN = [43, 138, 62];
const YELLOW = [252, 196, 25];
const DARK = [33, 37, 41];

// Shapes in a 512×512 design space; each returns true when the point is inside.
const roundedRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

const tile = roundedRect(0, 0, 512, 512, 104);
const tagHead = circle(256, 176, 84);
const tagBody = roundedRect(136, 196, 376, 436, 48);
const hole = circle(256, 160, 26);
const digits = [roundedRect(176, 300, 236, 324, 10), roundedRect(276, 300, 336, 324, 10), roundedRect(176, 352, 336, 376, 10)];

function colourAt(x, y) {
  if (!tile(x, y)) return null;
  if ((tagHead(x, y) || tagBody(x, y)) && !hole(x, y)) return digits.some((d) => d(x, y)) ? DARK : YELLOW;
  return GREEN;
}

function render(size) {
  const ss = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = colourAt(((px + (sx + 0.5) / ss) * 512) / size, ((py + (sy + 0.5) / ss) * 512) / size);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a++;
        }
      }
      const o = 1 + px * 4;
      if (a) row.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a * 255) / (ss * ss))], o);
    }
    rows.push(row);
  }
  return png(size, size, Buffer.concat(rows));
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(width, height, raw) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const dir = new URL('./', import.meta.url);
writeFileSync(new URL('icon.png', dir), render(512));
writeFileSync(new URL('tray-icon.png', dir), render(32));
writeFileSync(new URL('tray-icon@2x.png', dir), render(64));
writeFileSync(
  new URL('icon.svg', dir),
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <title>Yoctosehns</title>
  <rect width="512" height="512" rx="104" fill="rgb(${GREEN})"/>
  <g fill="rgb(${YELLOW})"><circle cx="256" cy="176" r="84"/><rect x="136" y="196" width="240" height="240" rx="48"/></g>
  <circle cx="256" cy="160" r="26" fill="rgb(${GREEN})"/>
  <g fill="rgb(${DARK})"><rect x="176" y="300" width="60" height="24" rx="10"/><rect x="276" y="300" width="60" height="24" rx="10"/><rect x="176" y="352" width="160" height="24" rx="10"/></g>
</svg>
`,
);
process.stdout.write('wrote icon.png, tray-icon.png, tray-icon@2x.png, icon.svg\n');
