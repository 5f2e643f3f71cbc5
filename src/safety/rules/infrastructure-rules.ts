/** Containers, clusters and infrastructure as code: pruning, deleting and destroying what they run. */
import { subcommand } from "../command-words.js";
import type { SafetyRule } from "./rule.js";

export const infrastructureRules: SafetyRule[] = [
  {
    id: "container-prune",
    commands: ["docker", "podman", "nerdctl", "docker-compose", "podman-compose"],
    level: "high",
    matches: (context) => {
      const text = context.name.endsWith("-compose")
        ? `compose ${context.args.join(" ")}`
        : context.args.join(" ");
      if (/\bsystem\s+reset\b/.test(text)) return true;
      // `docker run --rm -v …` removes the container when it exits: not a volume removal.
      if (
        /^(run|create|exec|start)\b/.test(subcommand(context.args, ["-H", "--host", "--context", "-c"]) ?? "")
      )
        return false;
      return (
        (/\b(system|image|volume|builder|buildx)\s+prune\b/.test(text) &&
          (/(\s-[a-z]*a|--all|--volumes)/.test(text) || /\bvolume\s+prune/.test(text))) ||
        /\b(volume\s+(rm|remove)|(container\s+)?rm\s+(.*\s)?(-[a-z]*v[a-z]*|--volumes)(\s|$)|rm\s+(-[a-z]*f|--force)\b.*\$\(|compose\s+down\b.*(-v\b|--volumes)|rmi\b.*\$\()/.test(
          text,
        ) ||
        false
      );
    },
    message: "Deletes containers, images or volumes in bulk (volumes hold data).",
    saferAlternative:
      "list what would go first (`docker system df`, `docker volume ls`) and remove named items",
    example: "docker system prune -af --volumes",
  },
  {
    id: "cluster-delete",
    commands: ["kubectl", "oc", "helm", "k9s", "kubeadm"],
    level: "high",
    matches: (context) => {
      const text = context.args.join(" ");
      if (context.name === "helm") return /\b(uninstall|delete|del)\b/.test(text);
      if (context.name === "kubeadm") return /\breset\b/.test(text);
      return (
        (/\bdelete\b/.test(text) &&
          /\b(namespaces?|ns|nodes?|pv|pvc|persistentvolumes?|persistentvolumeclaims?|crd|customresourcedefinitions?|deployments?|statefulsets?|daemonsets?|secrets?)\b|(^|\s)(--all|-A|-f|-k|--filename|--kustomize)\b|--all-namespaces|--filename=|--kustomize=/.test(
            text,
          )) ||
        (/\bscale\b/.test(text) &&
          /--replicas[= ]0\b/.test(text) &&
          /(^|\s)(--all|-A)\b|--all-namespaces/.test(text)) ||
        (/\b(drain|cordon)\b/.test(text) &&
          /\bnodes?\b|\bdrain\b/.test(text) &&
          /--force|--delete-emptydir-data|--delete-local-data/.test(text))
      );
    },
    message:
      "Deletes cluster resources (a namespace, volumes, nodes or everything of a kind) and the workloads and data in them.",
    saferAlternative: "run with `--dry-run=client` first and delete named resources",
    example: "kubectl delete namespace production",
  },
  {
    id: "infrastructure-destroy",
    commands: [
      "terraform",
      "tofu",
      "pulumi",
      "cdk",
      "terragrunt",
      "serverless",
      "sls",
      "eksctl",
      "vagrant",
      "cdktf",
      "nomad",
      "sam",
      "ansible",
      "copilot",
      "fly",
      "flyctl",
      "heroku",
      "vercel",
      "netlify",
      "firebase",
      "doctl",
      "linode-cli",
      "hcloud",
    ],
    level: "high",
    // A plan or preview changes nothing, even of a destroy (`terraform plan -destroy`, `pulumi preview`).
    matches: (context) =>
      !/^(plan|preview|show|validate|graph|output)$/.test(subcommand(context.args) ?? "") &&
      /\b(destroy|delete|remove|rm|down|apps:destroy|purge|terminate)\b|-destroy\b|\bstate\s+(rm|push)\b|\bworkspace\s+delete\b|\bforce-unlock\b/.test(
        context.args.join(" "),
      ),
    message: "Destroys infrastructure and the data it holds.",
    saferAlternative: "run a plan or preview first (`terraform plan -destroy`)",
    example: "terraform destroy -auto-approve",
  },
];
