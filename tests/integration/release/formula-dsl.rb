# Loads a rendered Homebrew formula with a minimal stand-in for Homebrew's
# Formula DSL, once per platform, and prints as JSON what each platform would
# download: a check of the template's on_macos/on_linux/on_arm/on_intel logic
# without Homebrew. Usage: ruby formula-dsl.rb path/to/stigmer.rb
require "json"

class Formula
  class << self
    attr_accessor :record, :os, :arch

    %i[desc homepage version license url sha256].each do |field|
      define_method(field) { |value| Formula.record[field] = value }
    end

    # Homebrew's `test do ... end` defines the formula's test method.
    def test(&block) = define_method(:test, &block)

    def on_macos = (yield if Formula.os == "darwin")
    def on_linux = (yield if Formula.os == "linux")
    def on_arm = (yield if Formula.arch == "arm64")
    def on_intel = (yield if Formula.arch == "amd64")
  end
end

formula = ARGV.fetch(0)
result = {}
[%w[darwin arm64], %w[darwin amd64], %w[linux arm64], %w[linux amd64]].each do |os, arch|
  Formula.record = {}
  Formula.os = os
  Formula.arch = arch
  load formula
  result["#{os}-#{arch}"] = Formula.record
end
klass = Object.const_get(:Stigmer)
result["methods"] = %i[install test].select { |m| klass.method_defined?(m) }
puts JSON.generate(result)
