import { bundleReceiver } from './bundle.ts'

for (const file of await bundleReceiver()) console.log(file)
