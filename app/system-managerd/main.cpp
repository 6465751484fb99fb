// system-managerd: argument parsing and wiring only; the REST layer lives in headless/.
#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QTextStream(stdout) << "system-managerd " << SM_VERSION << '\n';
    return 0;
}
