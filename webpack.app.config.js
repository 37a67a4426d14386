const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, join } = require('path');

/**
 * The one webpack config of every deployable app (Node target, tsc, a generated package.json for the image).
 * Each app's webpack.config.js calls it with its folder and, where it ships files read at run time, its assets.
 */
module.exports = function appWebpackConfig(appDir, { assets } = {}) {
  return {
    output: {
      path: join(__dirname, 'dist/apps', basename(appDir)),
      clean: true,
      ...(process.env.NODE_ENV !== 'production' && {
        devtoolModuleFilenameTemplate: '[absolute-resource-path]',
      }),
    },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
        ...(assets ? { assets } : {}),
      }),
    ],
  };
};
