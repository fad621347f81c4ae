/**
 * Draws the app's icon files from resources/icon.svg (and icon-small.svg for 32 px and below) in
 * Chromium, so that nothing the packages need is converted at package time (which would need
 * downloads): resources/icons/NxN.png (Linux), resources/icon.png (1024 px), resources/icon.ico
 * (Windows: PNG images in an ICO container) and resources/icon.icns (macOS: PNG images in an ICNS
 * container). Run `npm run icons` after changing an SVG, and commit what it writes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS } from '../src/cli/browserExport'

const resources = fileURLToPath(new URL('../resources/', import.meta.url))
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
const SMALL_MAX = 32

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
})
const pngs = new Map<number, Buffer>()
function png(size: number): Buffer {
  const image = pngs.get(size)
  if (!image) throw new Error(`no ${size} px image drawn`)
  return image
}
try {
  for (const size of SIZES) {
    const svg = readFileSync(`${resources}${size <= SMALL_MAX ? 'icon-small.svg' : 'icon.svg'}`, 'utf8')
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 })
    const sized = svg.replace(
      /<svg ([^>]*?)width="\d+" height="\d+"/,
      `<svg $1width="${size}" height="${size}"`,
    )
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`)
    pngs.set(
      size,
      await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }),
    )
    await page.close()
  }
} finally {
  await browser.close()
}

mkdirSync(`${resources}icons`, { recursive: true })
for (const [size, png] of pngs) writeFileSync(`${resources}icons/${size}x${size}.png`, png)
writeFileSync(`${resources}icon.png`, png(1024))
writeFileSync(
  `${resources}icon.ico`,
  ico([16, 24, 32, 48, 64, 128, 256].map((s): [number, Buffer] => [s, png(s)])),
)
writeFileSync(
  `${resources}icon.icns`,
  icns([
    ['icp4', png(16)],
    ['icp5', png(32)],
    ['icp6', png(64)],
    ['ic07', png(128)],
    ['ic08', png(256)],
    ['ic09', png(512)],
    ['ic10', png(1024)],
  ]),
)
console.log(`written: resources/icons/ (${SIZES.join(', ')} px), icon.png, icon.ico, icon.icns`)

/** An ICO file: a directory of images, each a whole PNG (Windows Vista on reads PNG entries). */
function ico(images: [number, Buffer][]): Buffer {
  const head = Buffer.alloc(6 + 16 * images.length)
  head.writeUInt16LE(0, 0) // reserved
  head.writeUInt16LE(1, 2) // type: icon
  head.writeUInt16LE(images.length, 4)
  let offset = head.length
  images.forEach(([size, png], i) => {
    const at = 6 + 16 * i
    head.writeUInt8(size >= 256 ? 0 : size, at) // 0 means 256
    head.writeUInt8(size >= 256 ? 0 : size, at + 1)
    head.writeUInt8(0, at + 2) // no palette
    head.writeUInt8(0, at + 3)
    head.writeUInt16LE(1, at + 4) // colour planes
    head.writeUInt16LE(32, at + 6) // bits per pixel
    head.writeUInt32LE(png.length, at + 8)
    head.writeUInt32LE(offset, at + 12)
    offset += png.length
  })
  return Buffer.concat([head, ...images.map(([, png]) => png)])
}

/** An ICNS file: 'icns', its length, then each image as its type, its length and a PNG (big-endian). */
function icns(images: [string, Buffer][]): Buffer {
  const parts = images.map(([type, png]) => {
    const head = Buffer.alloc(8)
    head.write(type, 0, 'latin1')
    head.writeUInt32BE(png.length + 8, 4)
    return Buffer.concat([head, png])
  })
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'latin1')
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4)
  return Buffer.concat([head, ...parts])
}
