# Homebrew formula for cmdai, installed from the npm registry's tarball.
# .github/workflows/release.yml rewrites `url` and `sha256` on every release tag (packaging/homebrew/update-formula.mjs)
# and opens a pull request; copy the result into a tap (e.g. cmdai/homebrew-tap) or homebrew-core.
class Cmdai < Formula
  desc "Turn plain-language requests into shell commands, rate their risk, run them with consent"
  homepage "https://github.com/cmdai/cmdai"
  url "https://registry.npmjs.org/cmdai/-/cmdai-0.1.0.tgz"
  sha256 "81b902a3b25f4e2613f3aa9194e354dc2b075fbff1e799634030156acbbc153e"
  license "MIT"

  depends_on "node"

  def install
    system "npm", "install", *std_npm_args
    bin.install_symlink Dir["#{libexec}/bin/*"]
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/cmdai --version")

    # The safety engine runs offline, without a model: a harmless command is allowed (exit 0) ...
    verdict = JSON.parse(shell_output("#{bin}/cmdai check --json 'ls -la'"))
    assert_equal "allow", verdict["decision"]
    # ... and a destructive one is blocked (exit 3).
    blocked = JSON.parse(shell_output("#{bin}/cmdai check --json 'rm -rf --no-preserve-root /'", 3))
    assert_equal "block", blocked["decision"]
  end
end
