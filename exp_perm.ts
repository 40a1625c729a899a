import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { GoogleAuth } from "google-auth-library";
try {
  console.log("aws", Object.keys(await fromNodeProviderChain()()));
} catch (e) {
  console.log("aws error", (e as Error).name, (e as Error).message);
}
try {
  const c = await new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] }).getClient();
  console.log("google", c.constructor.name);
} catch (e) {
  console.log("google error", (e as Error).name, (e as Error).message.slice(0, 200));
}
