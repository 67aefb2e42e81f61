import { mkdir, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { generateSdkFiles, sdkRoot } from "./SdkFiles.ts"

for (const file of await generateSdkFiles()) {
  const target = join(sdkRoot, file.path)
  await mkdir(dirname(target), { recursive: true })
  await writeFile(target, file.content)
  console.log(`wrote packages/sdk/${file.path}`)
}
