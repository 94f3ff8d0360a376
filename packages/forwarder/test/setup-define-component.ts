import { installDefineComponent } from '../src/pipedream-runtime.ts'

// Step modules call the Pipedream global `defineComponent` when they are imported.
installDefineComponent()
