import Bexy
import BexyService
import Contracts
import Foundation
import ServiceHTTP
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BexyServiceTests {
    /// The CI runner over HTTP: `project` copied into the job, `artifacts` copied out.
    @Suite struct Project {
        /// A project under a fresh allowed root: a package, a data file, an executable script, a symlink to
        /// /etc/passwd and a fifo. Returns (root, project).
        static func makeProject() throws -> (root: String, project: String) {
            let root = temporaryDirectory(prefix: "bexy-project-root")
            let project = root + "/app"
            let files = FileManager.default
            try files.createDirectory(atPath: project + "/pkg", withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: project + "/pkg/__init__.py"))
            try Data("def answer():\n    return 42\n".utf8).write(to: URL(fileURLWithPath: project + "/pkg/util.py"))
            try Data("project data".utf8).write(to: URL(fileURLWithPath: project + "/data.txt"))
            try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: project + "/run.sh"))
            #expect(chmod(project + "/run.sh", 0o755) == 0)
            try files.createSymbolicLink(atPath: project + "/passwd", withDestinationPath: "/etc/passwd")
            #expect(mkfifo(project + "/pipe", 0o644) == 0)
            return (root, project)
        }

        private func limits(roots: [String], _ project: ProjectLimits = ProjectLimits())
            -> BexyServiceConfiguration.InputLimits
        {
            BexyServiceConfiguration.InputLimits(project: project, projectRoots: roots)
        }

        @Test func theProjectIsCopiedInWithoutFollowingSymlinks() async throws {
            let (root, project) = try Self.makeProject()
            try await LiveBexy.run(limits: limits(roots: [root])) { server in
                let code = """
                    import os
                    from pkg.util import answer
                    print(answer(), open('data.txt').read(), os.access('run.sh', os.X_OK))
                    print(sorted(os.listdir('.')))
                    """
                let reply = try await server.execute(json(["code": code, "project": project]))
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.json["stdout"]?.string
                        == "42 project data True\n['data.txt', 'main.py', 'pkg', 'run.sh']\n")
                let skipped = reply.json["project_skipped"]?.array ?? []
                let reasons = Dictionary(uniqueKeysWithValues: skipped.compactMap { entry in
                    entry["path"]?.string.map { ($0, entry["reason"]?.string ?? "") }
                })
                #expect(reasons.keys.sorted() == ["passwd", "pipe"], "\(skipped)")
                #expect(reasons["passwd"]?.contains("symbolic link") == true)
            }
        }

        @Test func aProjectOutsideTheRootsOrWithoutRootsIsRefused() async throws {
            let (root, project) = try Self.makeProject()
            let other = temporaryDirectory(prefix: "bexy-project-other")
            try await LiveBexy.run(limits: limits(roots: [other])) { server in
                let reply = try await server.execute(json(["code": "print(1)", "project": project]))
                #expect(reply.status == 403, "\(reply)")
                #expect(reply.json.errorField == "project")
                // A path that reaches the project through `..` from an allowed root is resolved first.
                let sneaky = try await server.execute(json(["code": "print(1)",
                                                               "project": other + "/../" + root.split(separator: "/").last! + "/app"]))
                #expect(sneaky.status == 403, "\(sneaky)")
            }
            try await LiveBexy.run { server in
                let reply = try await server.execute(json(["code": "print(1)", "project": project]))
                #expect(reply.status == 403, "no BEXY_PROJECT_ROOTS: \(reply)")
                #expect(reply.json.errorField == "project")
            }
            try await LiveBexy.run(limits: limits(roots: [root])) { server in
                let missing = try await server.execute(json(["code": "print(1)", "project": root + "/absent"]))
                #expect(missing.status == 400, "\(missing)")
                #expect(missing.json.errorField == "project")
                let relative = try await server.execute(json(["code": "print(1)", "project": "app"]))
                #expect(relative.status == 400, "\(relative)")
                #expect(relative.json.errorField == "project")
            }
        }

        @Test func projectCapsAre413NamingProject() async throws {
            let (root, project) = try Self.makeProject()
            try await LiveBexy.run(limits: limits(roots: [root], ProjectLimits(projectFiles: 2))) { server in
                let reply = try await server.execute(json(["code": "print(1)", "project": project]))
                #expect(reply.status == 413, "\(reply)")
                #expect(reply.json.errorField == "project")
                #expect(reply.json["error"]?["message"]?.string?.contains("BEXY_MAX_PROJECT_FILES") == true)
            }
            try await LiveBexy.run(limits: limits(roots: [root], ProjectLimits(projectBytes: 20))) { server in
                let reply = try await server.execute(json(["code": "print(1)", "project": project]))
                #expect(reply.status == 413, "\(reply)")
                #expect(reply.json.errorField == "project")
            }
        }

        @Test func artifactsAreCopiedOutWithTheirHashAndRefusedWhenUnsafeOrTooLarge() async throws {
            let caps = ProjectLimits(artifactBytes: 1000, artifactsTotalBytes: 1500)
            try await LiveBexy.run(limits: limits(roots: [], caps)) { server in
                let code = """
                    import os
                    os.makedirs('out/sub')
                    open('out/sub/report.xml', 'w').write('<testsuite tests="1"/>')
                    os.symlink('/etc/passwd', 'evil')
                    os.symlink('out', 'linkdir')
                    open('big.bin', 'wb').write(b'x' * 1001)
                    open('a.bin', 'wb').write(b'a' * 900)
                    open('b.bin', 'wb').write(b'b' * 900)
                    os.mkdir('adir')
                    """
                let paths = ["out/sub/report.xml", "evil", "linkdir/sub/report.xml", "big.bin", "missing.txt", "a.bin",
                             "b.bin", "adir"]
                let reply = try await server.execute(json(["code": code, "artifacts": paths]))
                #expect(reply.status == 200, "\(reply)")
                let artifacts = reply.json["artifacts"]?.array ?? []
                #expect(artifacts.compactMap { $0["path"]?.string } == paths)
                func entry(_ path: String) -> JSONValue? { artifacts.first { $0["path"]?.string == path } }

                let report = try #require(entry("out/sub/report.xml"))
                let content = try #require(report["content_base64"]?.string.flatMap { Data(base64Encoded: $0) })
                #expect(String(decoding: content, as: UTF8.self) == "<testsuite tests=\"1\"/>")
                #expect(report["bytes"]?.int == content.count)
                #expect(report["sha256"]?.string == AuditRecord.sha256Hex(Array(content)))
                #expect(report["error"] == nil)

                for (path, words) in [("evil", "symbolic link"), ("linkdir/sub/report.xml", "symbolic link"),
                                      ("big.bin", "artifact cap"), ("missing.txt", "no such file"),
                                      ("b.bin", "total"), ("adir", "not a regular file")] {
                    let artifact = try #require(entry(path))
                    #expect(artifact["error"]?.string?.contains(words) == true, "\(path): \(artifact)")
                    #expect(artifact["content_base64"] == nil, "\(path) has no content")
                }
                #expect(entry("a.bin")?["bytes"]?.int == 900)
                #expect(entry("a.bin")?["error"] == nil)
            }
        }

        @Test func projectRootsAndCapsComeFromTheConfiguration() throws {
            let root = temporaryDirectory(prefix: "bexy-project-config")
            let env = ["PYLAMA_ENV": root + "/absent.env", "PYLAMA_INTERNAL_TOKEN": "t",
                       "BEXY_PROJECT_ROOTS": root + "/.:/tmp", "BEXY_MAX_PROJECT_FILES": "7",
                       "BEXY_MAX_ARTIFACT_BYTES": "99"]
            let settings = try PyLamaConfiguration.load(environment: env, localPath: root + "/absent-local.env")
            let configuration = try BexyServiceConfiguration.load(from: settings, environment: env,
                                                                  project: try BexySettings(values: env).project)
            #expect(configuration.limits.projectRoots == [root, "/tmp"], "entries are resolved with realpath")
            #expect(configuration.limits.project.projectFiles == 7)
            #expect(configuration.limits.project.artifactBytes == 99)
            #expect(configuration.limits.project.projectBytes == ProjectLimits().projectBytes)
            var bad = env
            bad["BEXY_PROJECT_ROOTS"] = "relative/dir"
            #expect(throws: ConfigurationError.self) { try BexyServiceConfiguration.load(from: settings, environment: bad) }
        }

        @Test(arguments: ["../escape", "/etc/passwd", "a//b", "."])
        func anUnsafeArtifactPathIs400(path: String) async throws {
            try await LiveBexy.run { server in
                let reply = try await server.execute(json(["code": "print(1)", "artifacts": [path]]))
                #expect(reply.status == 400, "\(reply)")
                #expect(reply.json.errorField == "artifacts")
            }
        }
    }
}
