// Pipedream injects `defineComponent` as a global into Node.js code steps; no package exports it.
declare global {
  function defineComponent<T>(component: T): T
}
export {}
