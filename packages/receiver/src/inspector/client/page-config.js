// What the server tells the page: data-* attributes of <body>, rendered by page.ts from the
// server's own constants (the terminal statuses of @up42-webhooks/shared, the replay's hop-by-hop
// headers), so each list has one source and no copy here to keep equal.

/**
 * @typedef {{ replayUrl: string, canResign: boolean, terminalStatuses: ReadonlySet<string>,
 *   hopByHopHeaders: readonly string[] }} PageConfig
 */

/** @param {string | undefined} text space-separated tokens */
function tokens(text) {
  return (text ?? '').split(' ').filter(Boolean)
}

/** @param {HTMLElement} body @returns {PageConfig} */
export function readPageConfig(body) {
  return {
    replayUrl: body.dataset.replayUrl ?? '',
    canResign: body.dataset.canResign === 'true',
    terminalStatuses: new Set(tokens(body.dataset.terminalStatuses)),
    hopByHopHeaders: tokens(body.dataset.hopByHopHeaders),
  }
}
