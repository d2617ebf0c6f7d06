// The Android library module (AAR) of mcptt-kmc: the Java API org.mcptt.kmc
// (bindings/jni/java) and its JNI library libmcptt_kmc_jni.so for arm64-v8a, armeabi-v7a and
// x86_64, which scripts/android-build.sh (`make android`) writes to build/android/jniLibs.
// Build those first; then include this folder in a Gradle project (README, "Android"):
//
//   // settings.gradle.kts of the app's project
//   include(":mcptt-kmc")
//   project(":mcptt-kmc").projectDir = file("../mcptt-kmc/android")
//   // the app's build.gradle.kts
//   dependencies { implementation(project(":mcptt-kmc")) }
//
// The Android Gradle plugin's version comes from the including project (or from
// settings.gradle.kts here when this folder is built on its own: `gradle assembleRelease`
// gives build/outputs/aar/mcptt-kmc-release.aar).
plugins {
    id("com.android.library")
}

android {
    namespace = "org.mcptt.kmc"
    compileSdk = 35

    defaultConfig {
        // NativeHandle frees forgotten handles with java.lang.ref.Cleaner, which Android has
        // from API 33 on.
        minSdk = 33
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            manifest.srcFile("src/main/AndroidManifest.xml")
            java.setSrcDirs(listOf("../bindings/jni/java"))
            jniLibs.setSrcDirs(listOf("../build/android/jniLibs"))
        }
    }

    packaging {
        jniLibs {
            // Stored uncompressed and page-aligned in the APK, loaded in place (the 16 KB
            // alignment of the .so files is what makes that work on 16 KB-page devices).
            useLegacyPackaging = false
        }
    }
}

// A module without its native library would build and then fail at run time
// (UnsatisfiedLinkError): refuse to build it.
val jniLibsDir = projectDir.resolve("../build/android/jniLibs")
tasks.named("preBuild") {
    doFirst {
        for (abi in listOf("arm64-v8a", "armeabi-v7a", "x86_64")) {
            val so = jniLibsDir.resolve("$abi/libmcptt_kmc_jni.so")
            check(so.isFile) { "$so is missing: run scripts/android-build.sh first" }
        }
    }
}
