// Tiny DOM helpers. Untrusted webhook data only ever reaches the page through textContent
// (never innerHTML), so a malicious body cannot inject markup.

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value))
    } else if (key === 'class') {
      el.className = String(value)
    } else if (key in el && typeof value !== 'string') {
      // @ts-ignore -- properties such as checked/disabled
      el[key] = value
    } else {
      el.setAttribute(key, value === true ? '' : String(value))
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    el.append(typeof child === 'object' ? child : String(child))
  }
  return el
}

/** @param {string} selector */
export function $(selector) {
  const el = document.querySelector(selector)
  if (!el) throw new Error(`missing element ${selector}`)
  return /** @type {HTMLElement} */ (el)
}

const TIME = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})
const DATE = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })

/** Short time for list rows: today → 14:03:22, older → Nov 29 14:03:22. @param {string} iso */
export function shortTime(iso) {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso ?? '')
  const sameDay = d.toDateString() === new Date().toDateString()
  return sameDay ? TIME.format(d) : `${DATE.format(d)} ${TIME.format(d)}`
}

/** @param {string} iso */
export function fullTime(iso) {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso ?? '')
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium', hour12: false })
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

/** @param {string} iso */
export function relativeTime(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000
  if (!Number.isFinite(seconds)) return ''
  const abs = Math.abs(seconds)
  if (abs < 45) return RELATIVE.format(Math.round(seconds), 'second')
  if (abs < 2700) return RELATIVE.format(Math.round(seconds / 60), 'minute')
  if (abs < 64800) return RELATIVE.format(Math.round(seconds / 3600), 'hour')
  return RELATIVE.format(Math.round(seconds / 86400), 'day')
}

/** @param {number} n */
export function bytes(n) {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** @param {string} text */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // Clipboard API needs a secure context; 127.0.0.1 is one, but a LAN host over http is not.
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' }, text)
    document.body.append(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    return ok
  }
}
