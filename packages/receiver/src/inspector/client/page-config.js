// What the server tells the page: data-* attributes of <body>, rendered by page.ts from the
// server's own constants (the terminal statuses of @up42-webhooks/shared, the replay's hop-by-hop
// headers and modes, the filter keys, the verdict and stream event names), so each has one source
// and no copy here to keep equal. The page knows only the meanings (the keys below).

/**
 * @typedef {{ verified: string, headersOnly: string, unsigned: string, unchecked: string,
 *   invalid: string }} VerdictNames
 * @typedef {{ stored: string, duplicate: string, deleted: string, cleared: string,
 *   deliveryState: string, ready: string }} StreamEventNames
 * @typedef {{ raw: string, resign: string }} ReplayModeNames
 * @typedef {{ replayUrl: string, canResign: boolean, terminalStatuses: ReadonlySet<string>,
 *   hopByHopHeaders: readonly string[], filterKeys: readonly string[], verdicts: VerdictNames,
 *   streamEvents: StreamEventNames, replayModes: ReplayModeNames }} PageConfig
 */

/** @param {string | undefined} text space-separated tokens */
function tokens(text) {
  return (text ?? '').split(' ').filter(Boolean)
}

/**
 * A JSON object of names from the server, with every meaning the page uses; a page served by
 * another version of the server fails here, loudly, instead of showing wrong badges.
 * @template {string} K
 * @param {string} attribute @param {string | undefined} text @param {readonly K[]} meanings
 * @returns {Record<K, string>}
 */
function names(attribute, text, meanings) {
  /** @type {Record<string, unknown>} */
  const parsed = JSON.parse(text ?? '{}')
  /** @type {Partial<Record<K, string>>} */
  const result = {}
  for (const meaning of meanings) {
    const value = parsed[meaning]
    if (typeof value !== 'string') throw new Error(`data-${attribute} has no name for ${meaning}`)
    result[meaning] = value
  }
  return /** @type {Record<K, string>} */ (result)
}

/** @param {HTMLElement} body @returns {PageConfig} */
export function readPageConfig(body) {
  const { dataset } = body
  return {
    replayUrl: dataset.replayUrl ?? '',
    canResign: dataset.canResign === 'true',
    terminalStatuses: new Set(tokens(dataset.terminalStatuses)),
    hopByHopHeaders: tokens(dataset.hopByHopHeaders),
    filterKeys: tokens(dataset.filterKeys),
    verdicts: names('verdicts', dataset.verdicts, [
      'verified',
      'headersOnly',
      'unsigned',
      'unchecked',
      'invalid',
    ]),
    streamEvents: names('stream-events', dataset.streamEvents, [
      'stored',
      'duplicate',
      'deleted',
      'cleared',
      'deliveryState',
      'ready',
    ]),
    replayModes: names('replay-modes', dataset.replayModes, ['raw', 'resign']),
  }
}
