// The piscina mode's worker: node-qrcode, exactly as the main-thread mode calls it, on a worker
// thread. One task is one code; piscina hands tasks to idle workers.
import QRCode from 'qrcode'

/**
 * @param {{ text: string, format: 'png' | 'dataurl' | 'svg' }} task
 * @returns {Promise<Buffer | string>}
 */
export default async function render({ text, format }) {
  if (format === 'png') return QRCode.toBuffer(text)
  if (format === 'svg') return QRCode.toString(text, { type: 'svg' })
  return QRCode.toDataURL(text)
}
