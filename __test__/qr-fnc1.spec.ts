// GS1 and FNC1: `gs1: true` writes FNC1 in first position, `applicationIndicator` FNC1 in
// second position. zxing-wasm is the oracle: its symbology identifier is ]Q3 for GS1 and ]Q5
// for FNC1 in second position, and the bytes it reads back are the data (after the
// application indicator, for ]Q5), with GS (0x1D) where the data had it and `%` where it had `%`.
import test from 'ava'

import { create, createQr, createSync, toBuffer, toBufferSync, toString } from '../index.js'
import { pngOfDataUrl, zxingRead } from './helpers/decode.js'
import { readSvg } from './helpers/render.js'

const GS = '\x1d'
const bytesOf = (read: { bytes: Uint8Array }) => Buffer.from(read.bytes).toString('latin1')

// GS1 element strings (fixed-length AIs, then variable-length ones ended by GS), a GS1 Digital
// Link URI, and data that mixes digits, letters, `%` and GS, so every mode meets FNC1.
const gs1Data = [
  '0109506000134352',
  `01095060001343521710123110AB-123${GS}3103000189`,
  `0109506000134352${GS}21SERIAL%42${GS}10LOT-7`,
  'https://id.gs1.org/01/09506000134352/10/AB%25-1/21/12345?17=201225',
  `${'1234567890'.repeat(20)}${GS}10${'ABCDEFGHIJ'.repeat(10)}${GS}21${'%'.repeat(30)}`,
]

test('gs1: true is read as GS1 (]Q3), GS and % intact, at every level', async (t) => {
  for (const data of gs1Data) {
    for (const errorCorrectionLevel of ['L', 'M', 'Q', 'H'] as const) {
      const read = await zxingRead(await toBuffer(data, { gs1: true, errorCorrectionLevel, scale: 3 }))
      t.is(read.symbologyIdentifier, ']Q3', `${JSON.stringify(data)} at ${errorCorrectionLevel}`)
      t.is(bytesOf(read), data)
    }
  }
})

test('applicationIndicator is read as FNC1 in second position (]Q5), with the indicator first', async (t) => {
  for (const applicationIndicator of ['00', '37', '99', 'a', 'Z']) {
    for (const data of ['12345678', `ABC%DEF${GS}123`, 'Grüße, 100% sure', 'x']) {
      const read = await zxingRead(await toBuffer(data, { applicationIndicator, scale: 3 }))
      t.is(read.symbologyIdentifier, ']Q5', `${applicationIndicator}: ${JSON.stringify(data)}`)
      const bytes = Buffer.from(read.bytes)
      t.is(bytes.subarray(0, applicationIndicator.length).toString('latin1'), applicationIndicator)
      t.is(bytes.subarray(applicationIndicator.length).toString('utf8'), data)
    }
  }
})

test('every output says GS1: PNG, data URL, SVG, and the modules of create()', async (t) => {
  const data = gs1Data[1] as string
  const reads = [
    await zxingRead(toBufferSync(data, { gs1: true })),
    await zxingRead(pngOfDataUrl(await createQr(data, { gs1: true }))),
    await readSvg(await toString(data, { gs1: true, type: 'svg' })),
  ]
  for (const read of reads) {
    t.is(read.symbologyIdentifier, ']Q3')
    t.is(bytesOf(read), data)
  }
  const symbol = await create(data, { gs1: true })
  t.deepEqual(symbol, createSync(data, { gs1: true }))
  // The same modules as the PNG: drawn from one symbol.
  t.deepEqual(symbol.modules, createSync(data, { gs1: true }).modules)
})

test('FNC1 takes room: capacity checks count it, and % costs two alphanumeric characters', async (t) => {
  // 25 alphanumeric characters fill version 1-L with no FNC1 (4 + 9 + 138 = 151 of 152 bits).
  const L = { errorCorrectionLevel: 'L' } as const
  const fits = 'A'.repeat(25)
  t.is(createSync(fits, L).version, 1)
  t.is(createSync(fits, { ...L, gs1: true }).version, 2, 'the 4 bits of FNC1 do not fit version 1-L')
  t.is(createSync(fits, { ...L, applicationIndicator: '37' }).version, 2)
  // A `%` is written `%%`: 22 letters and a `%` are 24 characters (4 + 4 + 9 + 132 = 149
  // bits, version 1-L); 23 letters and a `%` are 25 (155 bits, version 2), where 24 would fit.
  const short = createSync(`${'A'.repeat(22)}%`, { ...L, gs1: true })
  t.is(short.version, 1)
  t.deepEqual(short.segments.map((segment) => segment.mode), ['alphanumeric'])
  t.is(createSync(`${'A'.repeat(23)}%`, { ...L, gs1: true }).version, 2)
  t.is(createSync(`${'A'.repeat(23)}B`, { ...L, gs1: true }).version, 1)
  t.is(bytesOf(await zxingRead(toBufferSync(`${'A'.repeat(22)}%`, { ...L, gs1: true }))), `${'A'.repeat(22)}%`)
  // 7089 digits are version 40-L's most; with FNC1 they no longer fit.
  t.is(createSync('1'.repeat(7089), L).version, 40)
  t.throws(() => createSync('1'.repeat(7089), { ...L, gs1: true }), { instanceOf: RangeError, code: 'ERR_QR_DATA_TOO_LONG' })
})

test('bad FNC1 options are refused by name', async (t) => {
  for (const applicationIndicator of ['', '1', '123', 'é', 'ab', '1a']) {
    t.throws(() => createSync('x', { applicationIndicator }), {
      instanceOf: RangeError,
      code: 'ERR_INVALID_ARG_VALUE',
      message: /^options\.applicationIndicator must be two digits \('00' to '99'\) or one ASCII letter, got the string/,
    }, JSON.stringify(applicationIndicator))
  }
  t.throws(() => createSync('x', { applicationIndicator: 37 as never }), { instanceOf: TypeError, message: /^options\.applicationIndicator must be a string, got the number 37/ })
  t.throws(() => createSync('x', { gs1: 'yes' as never }), { instanceOf: TypeError, message: /^options\.gs1 must be true or false, got the string 'yes'$/ })
  t.throws(() => createSync('x', { gs1: true, applicationIndicator: '37' }), {
    instanceOf: RangeError,
    message: /^options\.applicationIndicator must be left out with options\.gs1/,
  })
  await t.throwsAsync(createQr('x', { gs1: true, micro: true }), {
    instanceOf: RangeError,
    message: 'options.gs1 or options.applicationIndicator must be left out for a Micro QR code (options.micro), which has no FNC1 mode, got one of them',
  })
  // gs1: false is no FNC1 at all.
  t.is((await zxingRead(toBufferSync('ABC', { gs1: false }))).symbologyIdentifier, ']Q1')
})
