// Node module-customization hooks (module.register) that let a Pipedream step bundle load
// locally: Pipedream installs `pkg@range` from the import line; here such a specifier resolves
// to the copy installed for this package. Plain JS because hooks load in their own thread.

/** @type {string | undefined} */
let parentURL
/** @type {Set<string>} */
let packages = new Set()

export function initialize(data) {
  parentURL = data.parentURL
  packages = new Set(data.packages)
}

const PINNED = /^((?:@[^/@]+\/)?[^/@]+)@[^/]+(\/.*)?$/

export async function resolve(specifier, context, nextResolve) {
  const match = PINNED.exec(specifier)
  if (match && packages.has(match[1])) {
    return nextResolve(match[1] + (match[2] ?? ''), { ...context, parentURL })
  }
  return nextResolve(specifier, context)
}
